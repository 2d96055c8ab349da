#include "flow/recommend_verify.h"

#include <map>
#include <tuple>

#include "flow/dependency_map.h"

namespace microseg {
namespace {

using Port = std::pair<Protocol, uint16_t>;

struct Party {
  EndpointRef info;
  Endpoint today, after;  // the same address resolved by each engine
  std::string group;
};

Endpoint ResolveIn(const PolicyEngine& engine, const EndpointInfo& info) {
  auto e = engine.Resolve(info.ips.front().ToString());
  return e.ok() ? *e : Endpoint{};
}

std::string Describe(const Party& a, const Party& b, Port port, const Verdict& v) {
  std::string out = a.info->DisplayName() + " -> " + b.info->DisplayName() + " " +
                    PortName(port.first, port.second) + ": " + std::string(v.Name());
  for (const DirectionVerdict* d : {&v.egress, &v.ingress}) {
    if (d->allowed) continue;
    out += " (" + std::string(TierName(d->tier));
    if (!d->policy.empty()) out += ": " + d->policy_kind + " " + d->policy;
    out += ": " + d->reason + ")";
  }
  return out;
}

bool Passes(const Verdict& v) { return v.allowed() || v.would_deny(); }

}  // namespace

VerifyReport VerifyRecommendation(const PolicyEngine& today, const PolicyEngine& after,
                                  const std::vector<AggregatedFlow>& observed, const GroupBy& by,
                                  uint64_t max_checks) {
  VerifyReport report;
  std::map<std::string, Party> parties;  // by display name
  std::set<Port> ports;
  std::set<std::tuple<std::string, std::string, Port>> seen, seen_groups;
  auto party = [&](const EndpointRef& e) -> const Party& {
    auto [it, inserted] = parties.try_emplace(e->DisplayName());
    if (inserted) {
      it->second = {e, ResolveIn(today, *e), ResolveIn(after, *e), GroupOf(*e, by).id};
    }
    return it->second;
  };
  for (const AggregatedFlow& f : observed) {
    if (!f.detailed()) continue;
    const Party& a = party(f.src);
    const Party& b = party(f.dst);
    Port port{f.protocol, f.port};
    ports.insert(port);
    seen.insert({a.info->DisplayName(), b.info->DisplayName(), port});
    seen_groups.insert({a.group, b.group, port});
    ++report.observed;
    Verdict v = after.Check(a.after, b.after, f.protocol, f.port);
    if (v.allowed()) {
      ++report.observed_allowed;
    } else {
      report.observed_blocked.push_back(Describe(a, b, port, v));
    }
  }
  std::map<std::pair<std::string, std::string>, GroupChange> changes;
  uint64_t checks = 0;
  for (const auto& [an, a] : parties) {
    if (report.truncated) break;
    for (const auto& [bn, b] : parties) {
      if (report.truncated) break;
      if (an == bn) continue;
      for (const Port& port : ports) {
        if (++checks > max_checks) {
          report.truncated = true;
          break;
        }
        Verdict v_after = after.Check(a.after, b.after, port.first, port.second);
        if (Passes(Verdict(today.Check(a.today, b.today, port.first, port.second))) &&
            !v_after.allowed()) {
          GroupChange& c = changes[{a.group, b.group}];
          c.from = a.group;
          c.to = b.group;
          c.ports.insert(port);
          ++c.pairs;
        }
        if (seen.count({an, bn, port})) continue;
        ++report.unobserved;
        if (!v_after.allowed()) {
          ++report.unobserved_denied;
        } else if (v_after.egress.tier == Tier::kUnenforced &&
                   v_after.ingress.tier == Tier::kUnenforced) {
          ++report.unobserved_unenforced;
        } else if (seen_groups.count({a.group, b.group, port})) {
          ++report.unobserved_group_allowed;
        } else {
          ++report.unobserved_allowed_count;
          if (report.unobserved_allowed.size() < 20) {
            report.unobserved_allowed.push_back(Describe(a, b, port, v_after));
          }
        }
      }
    }
  }
  for (auto& [key, c] : changes) report.changes.push_back(std::move(c));
  return report;
}

}  // namespace microseg
