#include "agent/fail_closed.h"

#include <algorithm>

namespace microseg {

Plan FailClosedPlan(const Plan& wanted) {
  Plan out;
  out.node = wanted.node;
  out.options = wanted.options;
  out.endpoints = wanted.endpoints;
  std::set<IpAddress> visibility;
  for (const PlanEndpoint& e : wanted.endpoints) {
    if (e.mode == Mode::kVisibility) visibility.insert(e.ips.begin(), e.ips.end());
  }
  for (Direction d : {Direction::kIngress, Direction::kEgress}) {
    const DirectionPlan& from = wanted.direction(d);
    DirectionPlan& to = out.direction(d);
    to.local = from.local;
    for (const IpAddress& ip : from.local) {
      to.defaults[ip] = visibility.count(ip) ? PlanVerdict::kLogDeny : PlanVerdict::kDeny;
    }
    to.classes[kNoneClass];
  }
  return out;
}

std::chrono::milliseconds RetryDelay(uint64_t failures, std::chrono::milliseconds base,
                                     std::chrono::milliseconds max) {
  if (failures == 0) return std::chrono::milliseconds{0};
  std::chrono::milliseconds d = base;
  for (uint64_t i = 1; i < failures && d < max; ++i) d *= 2;
  return std::min(d, max);
}

}  // namespace microseg
