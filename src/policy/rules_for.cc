// RulesFor: the policy of one endpoint and direction as an ordered rule
// list with peers resolved to members and address blocks. It flattens the
// tier logic of evaluate.cc; tests check both agree on every flow.
#include "policy/matching.h"

namespace microseg {
namespace {

using State = PolicyEngine::State;
using Action = EffectiveRule::Action;

std::string IndexedName(Direction d, size_t i, const std::string& name) {
  if (!name.empty()) return name;
  return std::string(DirectionName(d)) + "[" + std::to_string(i) + "]";
}

// SpanFor needs which identities the peers match, not one Endpoint per
// member and IP: while set (on this thread), AddMembers records the
// identity instead.
thread_local std::vector<IdentityId>* peer_identity_sink = nullptr;

void AddMembers(const State& s, const Identity& identity, PeerSet* out) {
  if (peer_identity_sink != nullptr) {
    peer_identity_sink->push_back(identity.id);
    return;
  }
  for (const std::string& key : identity.members) {
    const std::vector<IpAddress>* ips = nullptr;
    std::vector<IpAddress> node_ips;  // with its hostNetwork pods' addresses
    switch (identity.kind) {
      case EndpointKind::kPod: ips = &s.pods.at(key).ips; break;
      case EndpointKind::kNode:
        node_ips = s.NodeAddresses(key);
        ips = &node_ips;
        break;
      case EndpointKind::kWorkload: ips = &s.workloads.at(key).ips; break;
      case EndpointKind::kExternal: break;
    }
    if (!ips) continue;
    for (const IpAddress& ip : *ips) {
      // A stale claim on an address is not a peer: its traffic is the
      // current owner's (ip_index.h), as Check resolves it.
      if (s.OwnsAddress(ip, identity.kind, key)) out->endpoints.push_back(s.MakeEndpoint(identity.kind, key, ip));
    }
  }
}

// Adds every endpoint whose identity `matches` accepts.
template <typename Pred>
void AddMatchingIdentities(const State& s, Pred matches, PeerSet* out) {
  for (const Identity& identity : s.identities.all()) {
    if (!identity.live()) continue;
    Endpoint probe;
    probe.kind = identity.kind;
    probe.identity = identity.id;
    if (matches(probe)) AddMembers(s, identity, out);
  }
}

PeerSet ResolveNetworkPolicyPeers(const State& s, const NetworkPolicy& np,
                                  const std::vector<NetworkPolicyPeer>& peers) {
  PeerSet out;
  if (peers.empty()) {
    out.any = true;
    return out;
  }
  for (const NetworkPolicyPeer& peer : peers) {
    if (peer.ip_block) {
      out.blocks.push_back({peer.ip_block->cidr, peer.ip_block->except});
      continue;
    }
    AddMatchingIdentities(
        s, [&](const Endpoint& e) { return MatchNetworkPolicyPeer(s, np, peer, e, nullptr); }, &out);
  }
  return out;
}

PeerSet ResolveAdminPeers(const State& s, const std::vector<AdminPeer>& peers) {
  PeerSet out;
  for (const AdminPeer& peer : peers) {
    if (peer.kind == AdminPeer::Kind::kNetworks) {
      for (const Cidr& c : peer.networks) out.blocks.push_back({c, {}});
      continue;
    }
    AddMatchingIdentities(
        s, [&](const Endpoint& e) { return MatchAdminPeer(s, peer, e, nullptr); }, &out);
  }
  return out;
}

PeerSet ResolveRulesetPeers(const State& s, const std::vector<RulesetPeer>& peers) {
  PeerSet out;
  for (const RulesetPeer& peer : peers) {
    switch (peer.kind) {
      case RulesetPeer::Kind::kAny:
        out.any = true;
        break;
      case RulesetPeer::Kind::kIpList:
        if (auto it = s.ip_lists.find(peer.ip_list); it != s.ip_lists.end()) {
          for (const Cidr& c : it->second.cidrs) {
            AddressBlock block{c, {}};
            for (const Cidr& e : it->second.except) {
              if (c.Contains(e)) block.except.push_back(e);
            }
            out.blocks.push_back(std::move(block));
          }
        }
        break;
      default:
        AddMatchingIdentities(
            s, [&](const Endpoint& e) { return MatchRulesetPeer(s, peer, e, nullptr); }, &out);
    }
  }
  return out;
}

// Admin named ports carry no protocol: expand to every protocol.
std::vector<PortMatch> AdminPorts(const std::optional<std::vector<PortMatch>>& ports) {
  std::vector<PortMatch> out;
  if (!ports) return out;
  for (const PortMatch& m : *ports) {
    if (m.kind != PortMatch::Kind::kNamed) {
      out.push_back(m);
      continue;
    }
    for (Protocol p : kAllProtocols) out.push_back(PortMatch::Named(p, m.name));
  }
  return out;
}

EffectiveRule MakeRule(Tier tier, Action action, std::string kind, std::string policy,
                       std::string rule, PeerSet peers, std::vector<PortMatch> ports) {
  return {tier, action, std::move(kind), std::move(policy), std::move(rule), std::move(peers),
          std::move(ports)};
}

void AddAdminRules(const State& s, const AdminNetworkPolicy& p, Direction d, Tier tier,
                   std::vector<EffectiveRule>* out) {
  const auto& rules = d == Direction::kIngress ? p.ingress : p.egress;
  for (size_t i = 0; i < rules.size(); ++i) {
    Action action = rules[i].action == AdminAction::kAllow  ? Action::kAllow
                    : rules[i].action == AdminAction::kDeny ? Action::kDeny
                                                            : Action::kPass;
    out->push_back(MakeRule(tier, action, p.KindName(), p.name, IndexedName(d, i, rules[i].name),
                            ResolveAdminPeers(s, rules[i].peers), AdminPorts(rules[i].ports)));
  }
}

void AddRulesetRules(const State& s, const Ruleset& rs, Direction d, Tier tier,
                     std::optional<RuleAction> only, std::vector<EffectiveRule>* out) {
  const auto& rules = d == Direction::kIngress ? rs.ingress : rs.egress;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (only && rules[i].action != *only) continue;
    Action action = rules[i].action == RuleAction::kAllow ? Action::kAllow : Action::kDeny;
    out->push_back(MakeRule(tier, action, "Ruleset", rs.name, IndexedName(d, i, rules[i].name),
                            ResolveRulesetPeers(s, rules[i].peers), rules[i].ports));
  }
}

}  // namespace

// Declared where used (span.cc): not an API.
void SetPeerIdentitySink(std::vector<IdentityId>* sink) { peer_identity_sink = sink; }

PolicyEngine::DirectionRules PolicyEngine::RulesFor(const Endpoint& self, Direction d) const {
  const State& s = *state_;
  DirectionRules out;
  if (self.kind == EndpointKind::kExternal || self.identity == kNoIdentity) return out;
  const Identity& identity = s.identities.Get(self.identity);
  if (identity.unmanaged) return out;
  const Selection& sel = s.SelectionFor(self.identity);
  out.mode = sel.mode.value_or(Mode::kEnforced);

  for (const AdminEntry& entry : sel.admin) {
    if (entry.anp) {
      AddAdminRules(s, *entry.anp, d, Tier::kAdmin, &out.rules);
    } else {
      AddRulesetRules(s, *entry.ruleset, d, Tier::kAdmin, std::nullopt, &out.rules);
    }
  }
  // Application tier: Deny rules first (a matching Deny beats any Allow).
  for (const Ruleset* rs : sel.application) {
    AddRulesetRules(s, *rs, d, Tier::kApplication, RuleAction::kDeny, &out.rules);
  }
  bool isolated = false;
  for (const Ruleset* rs : sel.application) {
    size_t before = out.rules.size();
    AddRulesetRules(s, *rs, d, Tier::kApplication, RuleAction::kAllow, &out.rules);
    isolated |= out.rules.size() > before;
  }
  for (const NetworkPolicy* np : d == Direction::kIngress ? sel.np_ingress : sel.np_egress) {
    isolated = true;
    const auto& rules = d == Direction::kIngress ? np->ingress : np->egress;
    for (size_t i = 0; i < rules.size(); ++i) {
      out.rules.push_back(MakeRule(Tier::kApplication, Action::kAllow, "NetworkPolicy", np->Key(),
                                   IndexedName(d, i, ""),
                                   ResolveNetworkPolicyPeers(s, *np, rules[i].peers),
                                   rules[i].ports));
    }
  }
  bool selected = !sel.admin.empty() || sel.banp || !sel.baseline.empty() ||
                  !sel.application.empty() || isolated;
  if (isolated) {
    out.default_deny = true;
  } else {
    for (const Ruleset* rs : sel.baseline) {
      AddRulesetRules(s, *rs, d, Tier::kBaseline, std::nullopt, &out.rules);
    }
    if (sel.banp) AddAdminRules(s, *s.baseline_policy, d, Tier::kBaseline, &out.rules);
    out.default_deny = identity.kind != EndpointKind::kPod && sel.mode.has_value();
  }
  out.enforced = identity.kind == EndpointKind::kPod || selected || sel.mode.has_value();
  return out;
}

}  // namespace microseg
