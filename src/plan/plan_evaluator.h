// PlanEvaluator: what the rendered nftables tables of a cluster's
// enforcement points do with a new flow, read from their Plans.
//
// It mirrors src/render/nft/renderer.cc hook by hook (see "The evaluator"
// in docs/DATAPLANE.md): a packet passes the enforcement points that hold
// its source or its destination; at each, the hook is input when the
// destination is that node's own address, output when the source is, else
// forward; input/output accept failsafe ports before any policy; dispatch
// then checks the egress of a local enforced source (deny drops, allow and
// log-deny return) and the ingress of a local enforced destination; a
// direction's verdict is Plan::Evaluate (peer class: host over range over
// none; one verdict-map lookup; else the per-address default; else allow).
// Established flows and the packet mark's conntrack paths are left out:
// only new flows are classified.
//
// For tests and fuzzers that compare the kernel's answer with
// PolicyEngine::Check. Holds copies of the plans; immutable after
// construction, so const calls may run concurrently.
#pragma once

#include <cstdint>
#include <vector>

#include "plan/plan.h"

namespace microseg {

struct FlowDecision {
  // Each direction as the enforcement point that holds the address in its
  // local set decides it (allow when none does); computed even when the
  // other direction drops the packet first.
  PlanVerdict egress = PlanVerdict::kAllow;
  PlanVerdict ingress = PlanVerdict::kAllow;
  bool egress_enforced = false, ingress_enforced = false;
  // A failsafe port accepted the packet at some enforcement point before
  // its policy was consulted (the model knows nothing of failsafe ports).
  bool failsafe = false;
  // The packet reaches its destination (log-deny lets it through).
  bool passes = true;
};

class PlanEvaluator {
 public:
  explicit PlanEvaluator(std::vector<Plan> plans);

  FlowDecision Evaluate(const IpAddress& src, const IpAddress& dst, uint8_t ip_protocol,
                        uint16_t port) const;

  const std::vector<Plan>& plans() const { return plans_; }

 private:
  // One enforcement point's table: updates `out`; false when it drops.
  bool Traverse(const Plan& plan, const IpAddress& src, const IpAddress& dst, uint8_t ip_protocol,
                uint16_t port, FlowDecision* out) const;
  static bool IsNodeAddress(const Plan& plan, const IpAddress& ip);

  std::vector<Plan> plans_;
};

}  // namespace microseg
