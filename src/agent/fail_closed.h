// The agent's fallback when the kernel refuses a plan (docs/FAIL_CLOSED.md).
//
// FailClosedPlan keeps every enforced local address of the wanted plan and
// the table's skeleton (failsafe ports, established flows), drops every
// peer class and makes each local's default a deny: new flows to and from
// the node's selected workloads are dropped until a plan applies. Endpoints
// in visibility mode get log-deny, which lets traffic through and logs it,
// as their mode asks. The result holds no verdict or peer elements, so
// nothing in it can overlap or collide.
#pragma once

#include <chrono>
#include <cstdint>

#include "plan/plan.h"

namespace microseg {

Plan FailClosedPlan(const Plan& wanted);

// How long to wait before retrying after `failures` consecutive refused
// applies: `base` doubled per failure, at most `max`.
std::chrono::milliseconds RetryDelay(uint64_t failures, std::chrono::milliseconds base,
                                     std::chrono::milliseconds max);

}  // namespace microseg
