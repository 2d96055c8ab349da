// SpanFor: the slice of the cluster one enforcement point needs.
//
// Agents receive their span instead of the whole cluster: at 100,000 pods a
// node with 110 pods needs the objects its rules refer to, not all of them.
#include <set>

#include "policy/engine_state.h"

namespace microseg {

void SetPeerIdentitySink(std::vector<IdentityId>* sink);  // rules_for.cc

namespace {

using State = PolicyEngine::State;

// Collects object keys first, then copies each object once.
struct SpanKeys {
  std::set<std::string> pods, nodes, workloads, namespaces, network_policies, admin_policies,
      rulesets, modes, services, ip_lists;
  bool baseline = false;
};

void AddEndpoint(const State& s, const Endpoint& e, SpanKeys* keys) {
  switch (e.kind) {
    case EndpointKind::kPod:
      keys->pods.insert(e.name);
      keys->namespaces.insert(s.pods.at(e.name).namespace_name);
      break;
    case EndpointKind::kNode: keys->nodes.insert(e.name); break;
    case EndpointKind::kWorkload: keys->workloads.insert(e.name); break;
    case EndpointKind::kExternal: break;
  }
}

void AddRulesetReferences(const Ruleset& rs, SpanKeys* keys) {
  for (const auto* rules : {&rs.ingress, &rs.egress}) {
    for (const RulesetRule& r : *rules) {
      for (const RulesetPeer& p : r.peers) {
        if (p.kind == RulesetPeer::Kind::kService) keys->services.insert(p.service_namespace + "/" + p.service_name);
        if (p.kind == RulesetPeer::Kind::kIpList) keys->ip_lists.insert(p.ip_list);
      }
    }
  }
}

template <typename Map, typename Out>
void CopyKeys(const Map& from, const std::set<std::string>& keys, Out* out) {
  for (const std::string& key : keys) {
    if (auto it = from.find(key); it != from.end()) out->push_back(it->second);
  }
}

}  // namespace

ObjectSet PolicyEngine::SpanFor(const std::string& node_name) const {
  const State& s = *state_;
  SpanKeys keys;
  // Selections and rules are per identity: walk each local identity once,
  // however many local endpoints (and IPs) share it.
  std::set<IdentityId> walked, peer_identities;
  for (const Endpoint& local : LocalEndpoints(node_name, /*stale_claims=*/true)) {
    AddEndpoint(s, local, &keys);
    if (local.identity == kNoIdentity || !walked.insert(local.identity).second) continue;
    const Selection& sel = s.SelectionFor(local.identity);
    for (const AdminEntry& e : sel.admin) {
      if (e.anp) keys.admin_policies.insert(e.anp->name);
      if (e.ruleset) {
        keys.rulesets.insert(e.ruleset->name);
        AddRulesetReferences(*e.ruleset, &keys);
      }
    }
    for (const auto* nps : {&sel.np_ingress, &sel.np_egress}) {
      for (const NetworkPolicy* np : *nps) keys.network_policies.insert(np->Key());
    }
    for (const auto* tier : {&sel.application, &sel.baseline}) {
      for (const Ruleset* rs : *tier) {
        keys.rulesets.insert(rs->name);
        AddRulesetReferences(*rs, &keys);
      }
    }
    keys.baseline |= sel.banp;
    for (const std::string& m : sel.mode_sources) keys.modes.insert(m);
    // Peers by identity (every member of a matched identity matches).
    std::vector<IdentityId> peers;
    SetPeerIdentitySink(&peers);
    for (Direction d : {Direction::kIngress, Direction::kEgress}) RulesFor(local, d);
    SetPeerIdentitySink(nullptr);
    for (IdentityId id : peers) peer_identities.insert(id);
  }
  for (IdentityId id : peer_identities) {
    const Identity& identity = s.identities.Get(id);
    for (const std::string& member : identity.members) {
      switch (identity.kind) {
        case EndpointKind::kPod:
          // As AddMembers: only members that hold an address are peers.
          if (s.pods.at(member).ips.empty()) continue;
          keys.pods.insert(member);
          keys.namespaces.insert(identity.namespace_name);
          break;
        case EndpointKind::kNode:
          if (s.nodes.at(member).ips.empty()) continue;
          keys.nodes.insert(member);
          break;
        case EndpointKind::kWorkload:
          if (s.workloads.at(member).ips.empty()) continue;
          keys.workloads.insert(member);
          break;
        case EndpointKind::kExternal: break;
      }
    }
  }
  // Selection of a namespace-scoped policy never looks outside the
  // namespace; a pod that isolates nothing but is a peer still needs none.
  ObjectSet out;
  CopyKeys(s.namespaces, keys.namespaces, &out.namespaces);
  CopyKeys(s.pods, keys.pods, &out.pods);
  CopyKeys(s.nodes, keys.nodes, &out.nodes);
  CopyKeys(s.workloads, keys.workloads, &out.workloads);
  CopyKeys(s.services, keys.services, &out.services);
  CopyKeys(s.ip_lists, keys.ip_lists, &out.ip_lists);
  CopyKeys(s.network_policies, keys.network_policies, &out.network_policies);
  CopyKeys(s.admin_policies, keys.admin_policies, &out.admin_network_policies);
  CopyKeys(s.rulesets, keys.rulesets, &out.rulesets);
  CopyKeys(s.modes, keys.modes, &out.enforcement_modes);
  if (keys.baseline) out.baseline_admin_network_policy = *s.baseline_policy;
  return out;
}

}  // namespace microseg
