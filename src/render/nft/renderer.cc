#include "render/nft/renderer.h"

#include <cstdio>
#include <map>
#include <vector>

#include "render/nft/names.h"

namespace microseg::nft {
namespace {

constexpr IpFamily kFamilies[] = {IpFamily::kV4, IpFamily::kV6};
constexpr Direction kDirections[] = {Direction::kIngress, Direction::kEgress};

std::string_view AddrType(IpFamily f) { return f == IpFamily::kV4 ? "ipv4_addr" : "ipv6_addr"; }
std::string_view L3(IpFamily f) { return f == IpFamily::kV4 ? "ip" : "ip6"; }
// The local address is the destination on ingress and the source on egress.
std::string_view LocalField(Direction d) { return d == Direction::kIngress ? "daddr" : "saddr"; }
std::string_view PeerField(Direction d) { return d == Direction::kIngress ? "saddr" : "daddr"; }

std::string Range16(uint32_t first, uint32_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

// Element lists keyed by set name, rendered as `add element` / `delete element`.
using ElementLists = std::map<std::string, std::vector<std::string>>;

void AppendElements(std::string& out, std::string_view verb, const ElementLists& lists) {
  for (const auto& [set, elements] : lists) {
    if (elements.empty()) continue;
    out += verb;
    out += " element inet microseg ";
    out += set;
    out += " {\n";
    for (size_t i = 0; i < elements.size(); ++i) {
      out += "  ";
      out += elements[i];
      out += i + 1 < elements.size() ? ",\n" : "\n";
    }
    out += "}\n";
  }
}

std::string Entry(const std::string& key, const std::string& value) { return key + " : " + value; }

void AppendSetDecl(std::string& out, std::string_view kind, const std::string& name,
                   std::string_view type, bool interval, const std::vector<std::string>& elements,
                   std::string_view indent) {
  out += indent;
  out += kind;
  out += " " + name + " {\n";
  out += indent;
  out += "  type ";
  out += type;
  out += "\n";
  if (interval) {
    out += indent;
    out += "  flags interval\n";
  }
  if (!elements.empty()) {
    out += indent;
    out += "  elements = {\n";
    for (size_t i = 0; i < elements.size(); ++i) {
      out += indent;
      out += "    " + elements[i] + (i + 1 < elements.size() ? ",\n" : "\n");
    }
    out += indent;
    out += "  }\n";
  }
  out += indent;
  out += "}\n";
}

std::string ClassMapType(IpFamily f) {
  return std::string(AddrType(f)) + " . inet_proto . inet_service : verdict";
}

std::vector<std::string> ClassChainRules(Direction d, const std::string& id) {
  std::vector<std::string> rules;
  for (IpFamily f : kFamilies) {
    rules.push_back(std::string(L3(f)) + " " + std::string(LocalField(d)) +
                    " . meta l4proto . th dport vmap @" + ClassMap(d, id, f));
  }
  rules.push_back("goto " + std::string(Prefix(d)) + "_default");
  return rules;
}

void AppendChain(std::string& out, const std::string& name, const std::vector<std::string>& rules,
                 std::string_view header = {}) {
  out += "  chain " + name + " {\n";
  if (!header.empty()) {
    out += "    ";
    out += header;
    out += "\n";
  }
  for (const std::string& r : rules) out += "    " + r + "\n";
  out += "  }\n";
}

std::string FailsafeRule(const std::vector<FailsafePort>& ports) {
  if (ports.empty()) return {};
  std::string s = "meta l4proto . th dport { ";
  for (size_t i = 0; i < ports.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(IpProtocolNumber(ports[i].protocol)) + " . " + std::to_string(ports[i].port);
  }
  return s + " } accept";
}

bool FamilyOf(const IpAddress& ip, IpFamily f) { return ip.family() == f; }

}  // namespace

std::string VerdictText(Direction d, PlanVerdict v) {
  switch (v) {
    case PlanVerdict::kAllow: return d == Direction::kIngress ? "accept" : "return";
    case PlanVerdict::kDeny: return "drop";
    case PlanVerdict::kLogDeny: return "goto " + std::string(Prefix(d)) + "_log";
  }
  return "drop";
}

std::string RangeText(const AddressRange& r) {
  if (r.first == r.last) return r.first.ToString();
  return r.ToString();
}

std::string VerdictKeyText(const VerdictKey& k) {
  return k.local.ToString() + " . " + Range16(k.proto_first, k.proto_last) + " . " +
         Range16(k.port_first, k.port_last);
}

std::string SkeletonChain(const PlanOptions& o) {
  std::string text = "v" + std::to_string(kFormatVersion) + "|log=" + std::to_string(o.log_group);
  for (const FailsafePort& p : o.failsafe_inbound) {
    text += "|in=" + std::to_string(IpProtocolNumber(p.protocol)) + "/" + std::to_string(p.port);
  }
  for (const FailsafePort& p : o.failsafe_outbound) {
    text += "|out=" + std::to_string(IpProtocolNumber(p.protocol)) + "/" + std::to_string(p.port);
  }
  uint64_t h = 1469598103934665603ULL;
  for (char c : text) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string("skel_") + buf;
}

std::string RenderTable(const Plan& plan) {
  const PlanOptions& o = plan.options;
  std::string out = "table inet microseg {\n";
  // Sets and maps first: chains refer to them.
  for (Direction d : kDirections) {
    const DirectionPlan& dp = plan.direction(d);
    for (IpFamily f : kFamilies) {
      std::vector<std::string> local, defaults, hosts, ranges;
      for (const IpAddress& ip : dp.local) {
        if (FamilyOf(ip, f)) local.push_back(ip.ToString());
      }
      for (const auto& [ip, v] : dp.defaults) {
        if (FamilyOf(ip, f)) defaults.push_back(Entry(ip.ToString(), VerdictText(d, v)));
      }
      for (const auto& [ip, cls] : dp.peer_hosts) {
        if (FamilyOf(ip, f)) hosts.push_back(Entry(ip.ToString(), "goto " + ClassChain(d, cls)));
      }
      for (const auto& [r, cls] : dp.peer_ranges) {
        if (FamilyOf(r.first, f)) ranges.push_back(Entry(RangeText(r), "goto " + ClassChain(d, cls)));
      }
      std::string at(AddrType(f));
      AppendSetDecl(out, "set", LocalSet(d, f), at, false, local, "  ");
      AppendSetDecl(out, "map", DefaultMap(d, f), at + " : verdict", false, defaults, "  ");
      AppendSetDecl(out, "map", PeerMap(d, f), at + " : verdict", false, hosts, "  ");
      AppendSetDecl(out, "map", RangeMap(d, f), at + " : verdict", true, ranges, "  ");
    }
    for (const auto& [id, pc] : dp.classes) {
      for (IpFamily f : kFamilies) {
        std::vector<std::string> elements;
        for (const auto& [k, v] : pc.verdicts) {
          if (FamilyOf(k.local, f)) elements.push_back(Entry(VerdictKeyText(k), VerdictText(d, v)));
        }
        AppendSetDecl(out, "map", ClassMap(d, id, f), ClassMapType(f), true, elements, "  ");
      }
    }
  }
  // Leaf chains before the chains that jump to them.
  std::string log_prefix = "log group " + std::to_string(o.log_group) + " prefix ";
  AppendChain(out, "in_log", {log_prefix + "\"microseg would-deny ingress: \" accept"});
  AppendChain(out, "eg_log", {log_prefix + "\"microseg would-deny egress: \" return"});
  for (Direction d : kDirections) {
    std::string p(Prefix(d));
    AppendChain(out, p + "_default",
                {"ip " + std::string(LocalField(d)) + " vmap @" + DefaultMap(d, IpFamily::kV4),
                 "ip6 " + std::string(LocalField(d)) + " vmap @" + DefaultMap(d, IpFamily::kV6)});
    for (const auto& [id, pc] : plan.direction(d).classes) {
      AppendChain(out, ClassChain(d, id), ClassChainRules(d, id));
    }
    for (IpFamily f : kFamilies) {
      std::string peer = std::string(L3(f)) + " " + std::string(PeerField(d));
      AppendChain(out, (d == Direction::kIngress ? "ingress" : "egress") + std::string(FamilySuffix(f)),
                  {"ct state invalid drop", peer + " vmap @" + PeerMap(d, f),
                   peer + " vmap @" + RangeMap(d, f), "goto " + ClassChain(d, kNoneClass)});
    }
  }
  // Egress of a local source first (allow returns here), then ingress of a
  // local destination (allow accepts).
  AppendChain(out, "dispatch",
              {"ip saddr @eg_local_v4 jump egress_v4", "ip6 saddr @eg_local_v6 jump egress_v6",
               "ip daddr @in_local_v4 jump ingress_v4", "ip6 daddr @in_local_v6 jump ingress_v6"});
  std::vector<std::string> forward = {"ct state established,related accept", "jump dispatch"};
  std::vector<std::string> input = {"ct state established,related accept", "iif \"lo\" accept"};
  if (!o.failsafe_inbound.empty()) input.push_back(FailsafeRule(o.failsafe_inbound));
  input.push_back("jump dispatch");
  std::vector<std::string> output = {"ct state established,related accept", "oif \"lo\" accept"};
  if (!o.failsafe_outbound.empty()) output.push_back(FailsafeRule(o.failsafe_outbound));
  output.push_back("jump dispatch");
  AppendChain(out, "forward", forward, "type filter hook forward priority filter; policy accept;");
  AppendChain(out, "input", input, "type filter hook input priority filter; policy accept;");
  AppendChain(out, "output", output, "type filter hook output priority filter; policy accept;");
  AppendChain(out, SkeletonChain(o), {});
  out += "}\n";
  return out;
}

std::string RenderReplace(const Plan& plan) {
  return "add table inet microseg\ndelete table inet microseg\n" + RenderTable(plan);
}

std::string RenderDelta(const PlanDiff& diff, const Plan& to) {
  std::string out;
  // 1. New classes: maps, chain, rules (their elements follow with the adds).
  ElementLists dels, adds;
  for (Direction d : kDirections) {
    const DirectionDiff& dd = d == Direction::kIngress ? diff.ingress : diff.egress;
    const DirectionPlan& dp = to.direction(d);
    for (const std::string& id : dd.classes_added) {
      for (IpFamily f : kFamilies) {
        out += "add map inet microseg " + ClassMap(d, id, f) + " { type " + ClassMapType(f) +
               "; flags interval; }\n";
      }
      out += "add chain inet microseg " + ClassChain(d, id) + "\n";
      for (const std::string& r : ClassChainRules(d, id)) {
        out += "add rule inet microseg " + ClassChain(d, id) + " " + r + "\n";
      }
      for (const auto& [k, v] : dp.classes.at(id).verdicts) {
        adds[ClassMap(d, id, k.local.family())].push_back(Entry(VerdictKeyText(k), VerdictText(d, v)));
      }
    }
    for (const IpAddress& ip : dd.local_removed) dels[LocalSet(d, ip.family())].push_back(ip.ToString());
    for (const IpAddress& ip : dd.local_added) adds[LocalSet(d, ip.family())].push_back(ip.ToString());
    for (const IpAddress& ip : dd.defaults_removed) {
      dels[DefaultMap(d, ip.family())].push_back(ip.ToString());
    }
    for (const auto& [ip, v] : dd.defaults_added) {
      adds[DefaultMap(d, ip.family())].push_back(Entry(ip.ToString(), VerdictText(d, v)));
    }
    for (const IpAddress& ip : dd.hosts_removed) dels[PeerMap(d, ip.family())].push_back(ip.ToString());
    for (const auto& [ip, cls] : dd.hosts_added) {
      adds[PeerMap(d, ip.family())].push_back(Entry(ip.ToString(), "goto " + ClassChain(d, cls)));
    }
    for (const AddressRange& r : dd.ranges_removed) {
      dels[RangeMap(d, r.first.family())].push_back(RangeText(r));
    }
    for (const auto& [r, cls] : dd.ranges_added) {
      adds[RangeMap(d, r.first.family())].push_back(Entry(RangeText(r), "goto " + ClassChain(d, cls)));
    }
    for (const DirectionDiff::ClassDelta& cd : dd.classes_changed) {
      for (const VerdictKey& k : cd.removed) {
        dels[ClassMap(d, cd.id, k.local.family())].push_back(VerdictKeyText(k));
      }
      for (const auto& [k, v] : cd.added) {
        adds[ClassMap(d, cd.id, k.local.family())].push_back(Entry(VerdictKeyText(k), VerdictText(d, v)));
      }
    }
  }
  // 2. Removals before additions: a changed value is delete + add of one key.
  AppendElements(out, "delete", dels);
  AppendElements(out, "add", adds);
  // 3. Removed classes last: nothing points at them any more.
  for (Direction d : kDirections) {
    const DirectionDiff& dd = d == Direction::kIngress ? diff.ingress : diff.egress;
    for (const std::string& id : dd.classes_removed) {
      out += "delete chain inet microseg " + ClassChain(d, id) + "\n";
      for (IpFamily f : kFamilies) out += "delete map inet microseg " + ClassMap(d, id, f) + "\n";
    }
  }
  return out;
}

}  // namespace microseg::nft
