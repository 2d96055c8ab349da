#include "plan/plan.h"

namespace microseg {

std::string_view PlanVerdictName(PlanVerdict v) {
  switch (v) {
    case PlanVerdict::kAllow: return "allow";
    case PlanVerdict::kDeny: return "deny";
    case PlanVerdict::kLogDeny: return "log-deny";
  }
  return "?";
}

PlanVerdict Plan::Evaluate(Direction d, const IpAddress& local, const IpAddress& peer,
                           uint8_t ip_protocol, uint16_t port) const {
  const DirectionPlan& dp = direction(d);
  if (!dp.local.contains(local)) return PlanVerdict::kAllow;
  ClassId cls = kNoneClass;
  if (auto it = dp.peer_hosts.find(peer); it != dp.peer_hosts.end()) {
    cls = it->second;
  } else {
    // Ranges are disjoint: the candidate is the last range starting at or before peer.
    auto it2 = dp.peer_ranges.upper_bound(AddressRange{peer, FromValue(peer.family(), {~0ULL, ~0ULL})});
    if (it2 != dp.peer_ranges.begin()) {
      --it2;
      if (it2->first.first.family() == peer.family() && ToValue(it2->first.first) <= ToValue(peer) &&
          ToValue(peer) <= ToValue(it2->first.last)) {
        cls = it2->second;
      }
    }
  }
  if (auto c = dp.classes.find(cls); c != dp.classes.end()) {
    for (const auto& [key, verdict] : c->second.verdicts) {
      if (key.local == local && key.proto_first <= ip_protocol && ip_protocol <= key.proto_last &&
          key.port_first <= port && port <= key.port_last) {
        return verdict;
      }
    }
  }
  auto def = dp.defaults.find(local);
  return def == dp.defaults.end() ? PlanVerdict::kAllow : def->second;
}

size_t Plan::ElementCount() const {
  size_t n = 0;
  for (const DirectionPlan* dp : {&ingress, &egress}) {
    n += dp->local.size() + dp->defaults.size() + dp->peer_hosts.size() + dp->peer_ranges.size();
    for (const auto& [id, c] : dp->classes) n += c.verdicts.size();
  }
  return n;
}

}  // namespace microseg
