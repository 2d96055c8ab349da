#include "plan/plan_evaluator.h"

#include <algorithm>

namespace microseg {
namespace {

bool InFailsafe(const std::vector<FailsafePort>& ports, uint8_t ip_protocol, uint16_t port) {
  return std::any_of(ports.begin(), ports.end(), [&](const FailsafePort& f) {
    return IpProtocolNumber(f.protocol) == ip_protocol && f.port == port;
  });
}

bool Holds(const Plan& plan, const IpAddress& ip) {
  return std::any_of(plan.endpoints.begin(), plan.endpoints.end(), [&](const PlanEndpoint& e) {
    return std::find(e.ips.begin(), e.ips.end(), ip) != e.ips.end();
  });
}

}  // namespace

PlanEvaluator::PlanEvaluator(std::vector<Plan> plans) : plans_(std::move(plans)) {}

bool PlanEvaluator::IsNodeAddress(const Plan& plan, const IpAddress& ip) {
  return std::any_of(plan.endpoints.begin(), plan.endpoints.end(), [&](const PlanEndpoint& e) {
    return e.kind == EndpointKind::kNode && std::find(e.ips.begin(), e.ips.end(), ip) != e.ips.end();
  });
}

bool PlanEvaluator::Traverse(const Plan& plan, const IpAddress& src, const IpAddress& dst,
                             uint8_t ip_protocol, uint16_t port, FlowDecision* out) const {
  // Chains input / output: the failsafe rule comes before `jump dispatch`.
  if (IsNodeAddress(plan, dst) && InFailsafe(plan.options.failsafe_inbound, ip_protocol, port)) {
    out->failsafe = true;
    return true;
  }
  if (IsNodeAddress(plan, src) && InFailsafe(plan.options.failsafe_outbound, ip_protocol, port)) {
    out->failsafe = true;
    return true;
  }
  // Chain dispatch: egress of a local enforced source, then ingress of a
  // local enforced destination.
  bool passes = true;
  if (plan.egress.local.contains(src)) {
    PlanVerdict v = plan.Evaluate(Direction::kEgress, src, dst, ip_protocol, port);
    out->egress = out->egress_enforced && out->egress != PlanVerdict::kAllow ? out->egress : v;
    out->egress_enforced = true;
    if (v == PlanVerdict::kDeny) passes = false;
  }
  if (plan.ingress.local.contains(dst)) {
    PlanVerdict v = plan.Evaluate(Direction::kIngress, dst, src, ip_protocol, port);
    out->ingress = out->ingress_enforced && out->ingress != PlanVerdict::kAllow ? out->ingress : v;
    out->ingress_enforced = true;
    if (v == PlanVerdict::kDeny) passes = false;
  }
  return passes;
}

FlowDecision PlanEvaluator::Evaluate(const IpAddress& src, const IpAddress& dst, uint8_t ip_protocol,
                                     uint16_t port) const {
  FlowDecision out;
  // The source's enforcement point first, then the destination's; a packet
  // between two addresses of one point passes its table once.
  std::vector<const Plan*> path;
  for (const Plan& p : plans_) {
    if (Holds(p, src) || p.egress.local.contains(src)) path.push_back(&p);
  }
  for (const Plan& p : plans_) {
    if ((Holds(p, dst) || p.ingress.local.contains(dst)) &&
        std::find(path.begin(), path.end(), &p) == path.end()) {
      path.push_back(&p);
    }
  }
  for (const Plan* p : path) {
    if (!Traverse(*p, src, dst, ip_protocol, port, &out)) out.passes = false;
  }
  return out;
}

}  // namespace microseg
