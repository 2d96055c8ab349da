#include "flow/recommend.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace microseg {
namespace {

using PortSet = std::set<std::pair<Protocol, uint16_t>>;

struct GroupInfo {
  Group group;
  EndpointKind kind = EndpointKind::kExternal;
  std::string namespace_name;
  std::map<std::string, EndpointRef> members;  // by display name

  const EndpointInfo& representative() const { return *members.begin()->second; }
  bool enforceable() const {
    if (kind == EndpointKind::kExternal) return false;
    // Unmanaged workloads have no agent: they are only ever peers.
    return std::any_of(members.begin(), members.end(),
                       [](const auto& m) { return !m.second->unmanaged; });
  }
  std::vector<IpAddress> Ips() const {
    std::set<IpAddress> ips;
    for (const auto& [name, m] : members) ips.insert(m->ips.begin(), m->ips.end());
    return {ips.begin(), ips.end()};
  }
};

// What one group was seen doing in one direction.
struct Side {
  std::map<std::string, PortSet> peers;    // peer group id -> ports
  std::map<IpAddress, PortSet> externals;  // external addresses -> ports
  bool empty() const { return peers.empty() && externals.empty(); }
};

struct Subject {
  Side ingress, egress;
};

LabelSelector NameSelector(const std::string& ns) {
  LabelSelector s;
  s.AddMatchLabel(kNamespaceNameLabel, ns);
  return s;
}

class Builder {
 public:
  explicit Builder(const RecommendOptions& options) : o_(options) {}

  void Observe(const AggregatedFlow& f) {
    GroupInfo& src = Join(*f.src, f.src);
    GroupInfo& dst = Join(*f.dst, f.dst);
    std::pair<Protocol, uint16_t> port{f.protocol, f.port};
    // The destination's ingress lists the source; the source's egress the destination.
    if (dst.enforceable()) Record(subjects_[dst.group.id].ingress, src, *f.src, port);
    if (src.enforceable()) Record(subjects_[src.group.id].egress, dst, *f.dst, port);
  }

  Recommendation Build() {
    for (const auto& [id, subject] : subjects_) {
      const GroupInfo& g = groups_.at(id);
      if (!g.enforceable()) continue;
      if (g.kind == EndpointKind::kPod && o_.kind == RecommendOptions::Kind::kNetworkPolicy) {
        AddNetworkPolicy(g, subject);
      } else {
        AddRuleset(g, subject);
      }
    }
    return std::move(out_);
  }

 private:
  GroupInfo& Join(const EndpointInfo& e, const EndpointRef& ref) {
    Group group = GroupOf(e, o_.group_by);
    GroupInfo& g = groups_[group.id];
    if (g.members.empty()) {
      g.group = std::move(group);
      g.kind = e.kind;
      g.namespace_name = e.namespace_name;
    }
    g.members.emplace(e.DisplayName(), ref);
    return g;
  }

  static void Record(Side& side, const GroupInfo& peer, const EndpointInfo& e,
                     std::pair<Protocol, uint16_t> port) {
    if (peer.kind == EndpointKind::kExternal) {
      side.externals[e.ips.front()].insert(port);
    } else {
      side.peers[peer.group.id].insert(port);
    }
  }

  // The labels that select exactly the group's kind of members, or nullopt
  // when labels cannot name it (an endpoint without labels).
  std::optional<LabelSelector> SelectorOf(const GroupInfo& g) const {
    const std::string& label = o_.group_by.label;
    bool by_label = o_.group_by.kind == GroupBy::Kind::kLabel;
    LabelSelector s;
    if (g.group.kind == "app") {
      s.AddMatchLabel(label, *g.representative().labels.Get(label));
      return s;
    }
    if (by_label) s.AddRequirement({label, LabelRequirement::Op::kDoesNotExist, {}});
    if (g.group.kind == "namespace") return s;  // the namespace's pods (without the label)
    // One endpoint: its whole label set (every replica of it, in practice).
    const Labels& labels = g.representative().labels;
    if (labels.empty()) return std::nullopt;
    for (const auto& [k, v] : labels.entries()) s.AddMatchLabel(k, v);
    return s;
  }

  std::string NameOf(const GroupInfo& g, bool namespaced) {
    std::string part;
    const EndpointInfo& rep = g.representative();
    if (g.group.kind == "app") {
      part = *rep.labels.Get(o_.group_by.label);
    } else if (g.group.kind == "namespace") {
      part = o_.group_by.kind == GroupBy::Kind::kLabel ? "no-" + o_.group_by.label : "namespace";
    } else {
      part = g.kind == EndpointKind::kPod ? rep.key.substr(rep.key.find('/') + 1) : rep.key;
    }
    if (g.kind == EndpointKind::kPod && !namespaced) part = g.namespace_name + "-" + part;
    if (g.kind == EndpointKind::kWorkload) part = "workload-" + part;
    if (g.kind == EndpointKind::kNode) part = "node-" + part;
    std::string base = o_.name_prefix + Slug(part);
    std::string scope = namespaced ? g.namespace_name + "/" : "";
    std::string name = base;
    for (int i = 2; !names_.insert(scope + name).second; ++i) name = base + "-" + std::to_string(i);
    return name;
  }

  // Names the port when every destination endpoint gives it one name.
  std::vector<PortMatch> Ports(const PortSet& ports, const GroupInfo& dst, bool names_ok) const {
    std::vector<PortMatch> out;
    for (auto [protocol, number] : ports) {
      std::optional<std::string> name;
      bool uniform =
          names_ok && (dst.kind == EndpointKind::kPod || dst.kind == EndpointKind::kWorkload);
      for (const auto& [key, m] : dst.members) {
        if (!uniform) break;
        auto it = std::find_if(m->ports.begin(), m->ports.end(), [&](const ContainerPort& p) {
          return p.port == number && p.protocol == protocol && !p.name.empty();
        });
        if (it == m->ports.end() || (name && *name != it->name)) uniform = false;
        if (uniform) name = it->name;
      }
      out.push_back(uniform && name ? PortMatch::Named(protocol, *name)
                                    : PortMatch::Range(protocol, number, number));
    }
    return out;
  }

  // External addresses of one side, merged into blocks, each with the ports
  // of the addresses it covers.
  std::vector<std::pair<Cidr, PortSet>> ExternalBlocks(const Side& side) const {
    std::vector<IpAddress> ips;
    for (const auto& [ip, ports] : side.externals) ips.push_back(ip);
    std::vector<std::pair<Cidr, PortSet>> out;
    for (const Cidr& block : CoveringBlocks(ips, o_.external_v4_prefix, o_.external_v6_prefix)) {
      PortSet ports;
      for (const auto& [ip, p] : side.externals) {
        if (block.Contains(ip)) ports.insert(p.begin(), p.end());
      }
      out.emplace_back(block, std::move(ports));
    }
    return out;
  }

  void AddNetworkPolicy(const GroupInfo& g, const Subject& subject) {
    auto selector = SelectorOf(g);
    if (!selector) {
      out_.notes.push_back("pod " + g.representative().key +
                           " has no labels to select it by; no policy recommended for it");
      return;
    }
    NetworkPolicy np;
    np.namespace_name = g.namespace_name;
    np.name = NameOf(g, /*namespaced=*/true);
    np.pod_selector = *selector;
    np.affects_ingress = true;
    np.affects_egress = true;
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      const Side& side = d == Direction::kIngress ? subject.ingress : subject.egress;
      auto& rules = d == Direction::kIngress ? np.ingress : np.egress;
      for (const auto& [peer_id, ports] : side.peers) {
        const GroupInfo& peer = groups_.at(peer_id);
        NetworkPolicyRule rule;
        const GroupInfo& dst = d == Direction::kIngress ? g : peer;
        rule.ports = Ports(ports, dst, dst.kind == EndpointKind::kPod);
        auto peer_selector = peer.kind == EndpointKind::kPod ? SelectorOf(peer) : std::nullopt;
        if (peer_selector) {
          rule.peers.push_back({*peer_selector, NameSelector(peer.namespace_name), std::nullopt});
        } else {
          // Kubernetes selects only pods by label: workloads, nodes (and
          // unlabeled pods) are named by address.
          for (const IpAddress& ip : peer.Ips()) {
            rule.peers.push_back({std::nullopt, std::nullopt, IpBlock{Cidr::Host(ip), {}}});
          }
        }
        rules.push_back(std::move(rule));
      }
      for (const auto& [block, ports] : ExternalBlocks(side)) {
        NetworkPolicyRule rule;
        rule.ports = Ports(ports, g, false);
        rule.peers.push_back({std::nullopt, std::nullopt, IpBlock{block, {}}});
        rules.push_back(std::move(rule));
      }
    }
    out_.objects.network_policies.push_back(std::move(np));
  }

  // An IPList of `blocks`, created once per name.
  std::string IpListFor(const std::string& name, const std::vector<Cidr>& blocks) {
    if (ip_lists_.insert(name).second) {
      out_.objects.ip_lists.push_back({name, blocks, {}});
    }
    return name;
  }

  void AddRuleset(const GroupInfo& g, const Subject& subject) {
    auto selector = SelectorOf(g);
    if (!selector) {
      out_.notes.push_back(g.group.id + " has no labels to select it by; no Ruleset recommended");
      return;
    }
    Ruleset rs;
    rs.name = NameOf(g, /*namespaced=*/false);
    rs.tier = RulesetTier::kApplication;
    rs.scope.selector = *selector;
    if (g.kind == EndpointKind::kPod) rs.scope.namespace_selector = NameSelector(g.namespace_name);
    rs.scope.kinds = {g.kind};
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      bool in = d == Direction::kIngress;
      const Side& side = in ? subject.ingress : subject.egress;
      auto& rules = in ? rs.ingress : rs.egress;
      std::set<std::string> rule_names;
      auto add = [&](std::string label, RulesetPeer peer, std::vector<PortMatch> ports) {
        std::string base = Slug((in ? "from-" : "to-") + label);
        std::string name = base;
        for (int i = 2; !rule_names.insert(name).second; ++i) name = base + "-" + std::to_string(i);
        rules.push_back({name, RuleAction::kAllow, {std::move(peer)}, std::move(ports)});
      };
      for (const auto& [peer_id, ports] : side.peers) {
        const GroupInfo& peer = groups_.at(peer_id);
        const GroupInfo& dst = in ? g : peer;
        RulesetPeer p;
        if (auto peer_selector = SelectorOf(peer)) {
          p.selector = *peer_selector;
          if (peer.kind == EndpointKind::kPod)
            p.namespace_selector = NameSelector(peer.namespace_name);
        } else {
          p.kind = RulesetPeer::Kind::kIpList;
          std::vector<Cidr> hosts;
          for (const IpAddress& ip : peer.Ips()) hosts.push_back(Cidr::Host(ip));
          p.ip_list = IpListFor(o_.name_prefix + Slug(peer.group.id), hosts);
        }
        add(peer.group.label, std::move(p), Ports(ports, dst, true));
      }
      for (const auto& [block, ports] : ExternalBlocks(side)) {
        RulesetPeer p;
        p.kind = RulesetPeer::Kind::kIpList;
        p.ip_list = IpListFor(o_.name_prefix + "ext-" + Slug(block.ToString()), {block});
        add(block.ToString(), std::move(p), Ports(ports, g, false));
      }
    }
    if (g.kind != EndpointKind::kPod) {
      // Hosts and VMs are default-allow until an EnforcementMode makes them
      // default-deny: without it, an unobserved direction would stay open.
      out_.objects.enforcement_modes.push_back({rs.name, rs.scope, Mode::kEnforced});
    }
    out_.objects.rulesets.push_back(std::move(rs));
  }

  const RecommendOptions& o_;
  std::map<std::string, GroupInfo> groups_;
  std::map<std::string, Subject> subjects_;
  std::set<std::string> names_, ip_lists_;
  Recommendation out_;
};

int CommonPrefix(const IpAddress& a, const IpAddress& b) {
  int n = 0;
  while (n < a.bit_width() && a.bit(n) == b.bit(n)) ++n;
  return n;
}

}  // namespace

bool WantedFlow(const AggregatedFlow& f, const RecommendOptions& o) {
  return f.detailed() && (o.include_denied || f.verdict != FlowVerdict::kDeny);
}

Recommendation Recommend(const std::vector<AggregatedFlow>& flows, const RecommendOptions& o) {
  Builder builder(o);
  std::vector<AggregatedFlow> covered;
  size_t folded = 0, denied = 0;
  for (const AggregatedFlow& f : flows) {
    if (!f.detailed()) {
      ++folded;
    } else if (!WantedFlow(f, o)) {
      ++denied;
    } else {
      builder.Observe(f);
      covered.push_back(f);
    }
  }
  Recommendation r = builder.Build();
  r.covered = std::move(covered);
  if (folded) {
    r.notes.push_back(
        std::to_string(folded) +
        " folded aggregates were left out (the aggregator was full: raise its limit)");
  }
  if (denied) {
    r.notes.push_back(std::to_string(denied) +
                      " denied aggregates were left out (pass --include-denied to allow them)");
  }
  return r;
}

std::vector<Cidr> CoveringBlocks(std::vector<IpAddress> ips, int v4_prefix, int v6_prefix) {
  std::sort(ips.begin(), ips.end());
  ips.erase(std::unique(ips.begin(), ips.end()), ips.end());
  std::vector<Cidr> out;
  for (size_t i = 0; i < ips.size();) {
    int min_prefix = ips[i].is_v4() ? v4_prefix : v6_prefix;
    size_t j = i + 1;
    while (j < ips.size() && ips[j].family() == ips[i].family() &&
           CommonPrefix(ips[i], ips[j]) >= min_prefix) {
      ++j;
    }
    // Sorted, so the first and last address bound the block.
    int prefix = j - i == 1 ? ips[i].bit_width() : CommonPrefix(ips[i], ips[j - 1]);
    out.emplace_back(ips[i].Masked(prefix), prefix);
    i = j;
  }
  return out;
}

std::string Slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok) {
      out += l;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 50) out.resize(50);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

}  // namespace microseg
