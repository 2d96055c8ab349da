#include "render/nft/renderer.h"

#include <cstdio>
#include <map>
#include <optional>
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

std::string VerdictMapType(IpFamily f) {
  return "mark . " + std::string(AddrType(f)) + " . inet_proto . inet_service : verdict";
}

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string MarkText(ClassId class_id) { return Hex(class_id); }

std::string DirectionChain(Direction d, IpFamily f) {
  return (d == Direction::kIngress ? "ingress" : "egress") + std::string(FamilySuffix(f));
}

// How a new flow is classified in one direction and family. The peer's class
// goes into the packet mark, the packet's own mark having been saved:
//  - main path (the flow has no ct mark yet, as conntrack creates it): the
//    packet mark is saved in the ct mark; restore_mark puts it back and
//    zeroes the ct mark again;
//  - "_ct": the new flow already carries a ct mark (another tool marked it
//    before us): the packet mark is saved over it and stays there (exact
//    when the tool's ct mark equals the packet mark, as with CONNMARK
//    save/restore), flagged kMarkCtPath;
//  - "_untracked": no conntrack entry: nothing to save in; the mark is
//    restored to 0, flagged kMarkUntrackedPath.
// Then: the none class, overridden by a block's class, overridden by a host's
// class; one lookup of (class . local . proto . port); else the default.
std::vector<std::string> ClassifyRules(Direction d, IpFamily f, std::string_view path) {
  std::string peer = std::string(L3(f)) + " " + std::string(PeerField(d));
  std::string base = DirectionChain(d, f);
  std::vector<std::string> rules;
  if (path.empty()) {
    rules.push_back("ct state invalid drop");
    rules.push_back("ct state untracked goto " + base + "_untracked");
    rules.push_back("ct mark != 0 goto " + base + "_ct");
  }
  if (path != "_untracked") rules.push_back("ct mark set meta mark");
  rules.push_back("meta mark set " + Hex(0));
  rules.push_back("meta mark set " + peer + " map @" + RangeMap(d, f));
  rules.push_back("meta mark set " + peer + " map @" + PeerMap(d, f));
  if (path == "_ct") rules.push_back("meta mark set meta mark or " + Hex(kMarkCtPath));
  if (path == "_untracked") rules.push_back("meta mark set meta mark or " + Hex(kMarkUntrackedPath));
  rules.push_back("meta mark and " + Hex(kMarkClassMask) + " . " + std::string(L3(f)) + " " +
                  std::string(LocalField(d)) + " . meta l4proto . th dport vmap @" + VerdictMapName(d, f));
  rules.push_back("goto " + std::string(Prefix(d)) + "_default");
  return rules;
}

// The key of a verdict map element. The port is always written as a range:
// nft 1.0.6 cannot delete an element of this map (a host-order `mark` leads
// the concatenation) whose other fields are all single values, though it
// adds it ("80" and "80-80" are the same element).
std::string VerdictMapKey(ClassId class_id, const VerdictKey& k) {
  return MarkText(class_id) + " . " + k.local.ToString() + " . " + Range16(k.proto_first, k.proto_last) +
         " . " + std::to_string(k.port_first) + "-" + std::to_string(k.port_last);
}

std::string VerdictEntry(Direction d, ClassId class_id, const VerdictKey& k, PlanVerdict v) {
  return Entry(VerdictMapKey(class_id, k), VerdictText(d, v));
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
    case PlanVerdict::kAllow: return "goto " + AllowChain(d);
    case PlanVerdict::kDeny: return "goto " + DenyChain(d);
    case PlanVerdict::kLogDeny: return "goto " + LogChain(d);
  }
  return "goto " + DenyChain(d);
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
  std::string text = "v" + std::to_string(kFormatVersion) + "|log=" + std::to_string(o.log_group) +
                     "|deny=" + std::to_string(o.deny_log_rate);
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
      std::vector<std::string> local, defaults, hosts, ranges, verdicts;
      for (const IpAddress& ip : dp.local) {
        if (FamilyOf(ip, f)) local.push_back(ip.ToString());
      }
      for (const auto& [ip, v] : dp.defaults) {
        if (FamilyOf(ip, f)) defaults.push_back(Entry(ip.ToString(), VerdictText(d, v)));
      }
      for (const auto& [ip, cls] : dp.peer_hosts) {
        if (FamilyOf(ip, f)) hosts.push_back(Entry(ip.ToString(), MarkText(cls)));
      }
      for (const auto& [r, cls] : dp.peer_ranges) {
        if (FamilyOf(r.first, f)) ranges.push_back(Entry(RangeText(r), MarkText(cls)));
      }
      for (const auto& [id, pc] : dp.classes) {
        for (const auto& [k, v] : pc.verdicts) {
          if (FamilyOf(k.local, f)) verdicts.push_back(VerdictEntry(d, id, k, v));
        }
      }
      std::string at(AddrType(f));
      AppendSetDecl(out, "set", LocalSet(d, f), at, false, local, "  ");
      AppendSetDecl(out, "map", DefaultMap(d, f), at + " : verdict", false, defaults, "  ");
      AppendSetDecl(out, "map", PeerMap(d, f), at + " : mark", false, hosts, "  ");
      AppendSetDecl(out, "map", RangeMap(d, f), at + " : mark", true, ranges, "  ");
      AppendSetDecl(out, "map", VerdictMapName(d, f), VerdictMapType(f), true, verdicts, "  ");
    }
  }
  if (o.deny_log_rate > 0) {
    std::string rate = std::to_string(o.deny_log_rate);
    out += std::string("  limit ") + kDenyLogLimit + " {\n    rate " + rate + "/second burst " + rate +
           " packets\n  }\n";
  }
  // Leaf chains before the chains that jump to them. Every verdict restores
  // the packet mark first (see ClassifyRules).
  AppendChain(out, kRestoreChain,
              {"meta mark and " + Hex(kMarkCtPath) + " != 0 meta mark set ct mark return",
               "meta mark and " + Hex(kMarkUntrackedPath) + " != 0 meta mark set 0 return",
               "meta mark set ct mark ct mark set 0"});
  std::string log_group = "log group " + std::to_string(o.log_group) + " prefix ";
  for (Direction d : kDirections) {
    std::string dir = d == Direction::kIngress ? "ingress" : "egress";
    std::string allow = d == Direction::kIngress ? "accept" : "return";
    std::string restore = std::string("jump ") + kRestoreChain;
    AppendChain(out, AllowChain(d), {restore, allow});
    std::vector<std::string> deny = {restore};
    if (o.deny_log_rate > 0) {
      deny.push_back(std::string("ct state new limit name \"") + kDenyLogLimit + "\" " + log_group +
                     "\"microseg deny " + dir + ": \"");
    }
    deny.push_back("drop");
    AppendChain(out, DenyChain(d), deny);
    AppendChain(out, LogChain(d), {restore, log_group + "\"microseg would-deny " + dir + ": \" " + allow});
  }
  for (Direction d : kDirections) {
    std::string p(Prefix(d));
    AppendChain(out, p + "_default",
                {"ip " + std::string(LocalField(d)) + " vmap @" + DefaultMap(d, IpFamily::kV4),
                 "ip6 " + std::string(LocalField(d)) + " vmap @" + DefaultMap(d, IpFamily::kV6),
                 "goto " + AllowChain(d)});
    for (IpFamily f : kFamilies) {
      for (std::string_view path : {"_ct", "_untracked"}) {
        AppendChain(out, DirectionChain(d, f) + std::string(path), ClassifyRules(d, f, path));
      }
      AppendChain(out, DirectionChain(d, f), ClassifyRules(d, f, ""));
    }
  }
  // Egress of a local source first (allow returns here), then ingress of a
  // local destination (allow accepts). Before either, IPv6 neighbor
  // discovery: it does ARP's job, which the inet family never sees, so a
  // policy that dropped it would cut every IPv6 flow of the pod, allowed
  // ones included. Hop limit 255 means it was sent on this link: nothing
  // routed from elsewhere passes as NDP.
  AppendChain(out, "dispatch",
              {"icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } "
               "ip6 hoplimit 255 accept",
               "ip saddr @eg_local_v4 jump egress_v4", "ip6 saddr @eg_local_v6 jump egress_v6",
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

std::string RenderDelta(const PlanDiff& diff, const Plan& /*to*/) {
  // Classes are only numbers in element keys and values: a new or removed
  // class is element additions or removals (its verdicts are in
  // classes_changed), never a new map or chain. No peer element is a
  // verdict, so a pod's churn never makes the kernel re-validate the table.
  ElementLists dels, adds;
  for (Direction d : kDirections) {
    const DirectionDiff& dd = d == Direction::kIngress ? diff.ingress : diff.egress;
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
      adds[PeerMap(d, ip.family())].push_back(Entry(ip.ToString(), MarkText(cls)));
    }
    for (const AddressRange& r : dd.ranges_removed) {
      dels[RangeMap(d, r.first.family())].push_back(RangeText(r));
    }
    for (const auto& [r, cls] : dd.ranges_added) {
      adds[RangeMap(d, r.first.family())].push_back(Entry(RangeText(r), MarkText(cls)));
    }
    for (const DirectionDiff::ClassDelta& cd : dd.classes_changed) {
      for (const VerdictKey& k : cd.removed) {
        dels[VerdictMapName(d, k.local.family())].push_back(VerdictMapKey(cd.id, k));
      }
      for (const auto& [k, v] : cd.added) {
        adds[VerdictMapName(d, k.local.family())].push_back(VerdictEntry(d, cd.id, k, v));
      }
    }
  }
  // Removals before additions: a changed value is delete + add of one key.
  std::string out;
  AppendElements(out, "delete", dels);
  AppendElements(out, "add", adds);
  return out;
}

}  // namespace microseg::nft
