// SpanFor: the slice of the cluster one enforcement point needs.
//
// Agents receive their span instead of the whole cluster: at 100,000 pods a
// node with 110 pods needs the objects its rules refer to, not all of them.
#include <algorithm>
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

// The named ports of `rules` (egress) whose peer is "any" or address
// blocks, each (port, peer) once.
void AddNamedPortDemands(const PolicyEngine::DirectionRules& rules,
                         std::set<std::string>* seen,
                         std::vector<PolicyEngine::NamedPortDemand>* out) {
  for (const EffectiveRule& r : rules.rules) {
    if (!r.peers.any && r.peers.blocks.empty()) continue;
    for (const PortMatch& m : r.ports) {
      if (m.kind != PortMatch::Kind::kNamed) continue;
      std::string key = m.name + "/" + std::string(ProtocolName(m.protocol)) + (r.peers.any ? "|*" : "");
      if (!r.peers.any) {
        for (const AddressBlock& b : r.peers.blocks) {
          key += "|" + b.cidr.ToString();
          for (const Cidr& e : b.except) key += "-" + e.ToString();
        }
      }
      if (!seen->insert(key).second) continue;
      PolicyEngine::NamedPortDemand d{m.name, m.protocol, r.peers.any, {}};
      if (!d.any) d.blocks = r.peers.blocks;
      out->push_back(std::move(d));
    }
  }
}

bool InPeer(const PolicyEngine::NamedPortDemand& d, const IpAddress& ip) {
  if (d.any) return true;
  for (const AddressBlock& b : d.blocks) {
    if (!b.cidr.Contains(ip)) continue;
    if (std::none_of(b.except.begin(), b.except.end(), [&](const Cidr& e) { return e.Contains(ip); })) {
      return true;
    }
  }
  return false;
}

template <typename Map, typename Out>
void CopyKeys(const Map& from, const std::set<std::string>& keys, Out* out) {
  for (const std::string& key : keys) {
    if (auto it = from.find(key); it != from.end()) out->push_back(it->second);
  }
}

}  // namespace

bool PolicyEngine::MeetsNamedPortDemand(EndpointKind kind, const std::string& name,
                                        const std::vector<NamedPortDemand>& demands) const {
  if (demands.empty()) return false;
  const State& s = *state_;
  const std::vector<IpAddress>* ips = nullptr;
  if (kind == EndpointKind::kPod) {
    auto it = s.pods.find(name);
    if (it == s.pods.end() || !it->second.HoldsIps()) return false;
    ips = &it->second.ips;
  } else if (kind == EndpointKind::kWorkload) {
    auto it = s.workloads.find(name);
    if (it == s.workloads.end()) return false;
    ips = &it->second.ips;
  } else {
    return false;  // nodes declare no ports
  }
  for (const IpAddress& ip : *ips) {
    const Endpoint e = s.MakeEndpoint(kind, name, ip);
    for (const NamedPortDemand& d : demands) {
      if (!InPeer(d, ip) || !ResolveNamedPort(e, d.name, d.protocol)) continue;
      // Check resolves the destination address to its owner: only the
      // owner's ports count for an address (as the plan compiler).
      Result<Endpoint> owner = Resolve(ip.ToString());
      if (owner.ok() && owner->kind == kind && owner->name == name) return true;
    }
  }
  return false;
}

ObjectSet PolicyEngine::SpanFor(const std::string& node_name,
                                std::vector<NamedPortDemand>* demands_out) const {
  const State& s = *state_;
  SpanKeys keys;
  std::vector<NamedPortDemand> demands;
  std::set<std::string> demand_keys;
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
    RulesFor(local, Direction::kIngress);
    AddNamedPortDemands(RulesFor(local, Direction::kEgress), &demand_keys, &demands);
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
          if (s.NodeAddresses(member).empty()) continue;
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
  // A node's hostNetwork pods carry addresses of the node: the agent's
  // engine needs them to know every address of a local or peer node.
  for (const std::string& node : keys.nodes) {
    auto on_node = s.host_network_pods.find(node);
    if (on_node == s.host_network_pods.end()) continue;
    for (const std::string& key : on_node->second) {
      keys.pods.insert(key);
      keys.namespaces.insert(s.pods.at(key).namespace_name);
    }
  }
  // Endpoints that satisfy a named port on an any/block peer: one pass over
  // the pods and workloads, only for nodes that have such a rule (each
  // member's ports against each demand: pods x demands).
  if (!demands.empty()) {
    for (const auto& [key, pod] : s.pods) {
      if (keys.pods.contains(key) || !MeetsNamedPortDemand(EndpointKind::kPod, key, demands)) continue;
      keys.pods.insert(key);
      keys.namespaces.insert(pod.namespace_name);
    }
    for (const auto& [name, w] : s.workloads) {
      if (keys.workloads.contains(name)) continue;
      if (MeetsNamedPortDemand(EndpointKind::kWorkload, name, demands)) keys.workloads.insert(name);
    }
  }
  if (demands_out) *demands_out = std::move(demands);
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
