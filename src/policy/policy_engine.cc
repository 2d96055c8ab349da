// PolicyEngine storage: loading, incremental updates and endpoint lookup.
#include "policy/policy_engine.h"

#include <algorithm>

#include "model/kinds.h"
#include "policy/engine_state.h"

namespace microseg {

std::string Endpoint::DisplayName() const {
  switch (kind) {
    case EndpointKind::kPod: return name;
    case EndpointKind::kNode: return "node/" + name;
    case EndpointKind::kWorkload: return "workload/" + name;
    case EndpointKind::kExternal: return name;
  }
  return name;
}

PolicyEngine::PolicyEngine() : state_(std::make_unique<State>()) {}
PolicyEngine::~PolicyEngine() = default;

void PolicyEngine::Load(ObjectSet objects) {
  state_ = std::make_unique<State>();
  ForEachObject(objects, [this](ObjectKind, auto& o) { Upsert(std::move(o)); });
  // Evaluate every selector once per identity now, so queries find warm caches.
  for (const Identity& identity : state_->identities.all()) {
    if (identity.live()) state_->SelectionFor(identity.id);
  }
}

// ---- inventory ----

void PolicyEngine::Upsert(Namespace ns) {
  ns.labels.Set(kNamespaceNameLabel, ns.name);
  std::string name = ns.name;
  state_->namespaces[name] = std::move(ns);
  // Namespace labels feed namespaceSelectors of every policy kind.
  state_->BumpNamespace(name);
  ++state_->namespace_labels_epoch;
}

bool PolicyEngine::DeleteNamespace(const std::string& name) {
  if (state_->namespaces.erase(name) == 0) return false;
  state_->BumpNamespace(name);
  ++state_->namespace_labels_epoch;  // its pods now see the implicit labels
  return true;
}

void PolicyEngine::Upsert(Pod pod) {
  DeletePod(pod.namespace_name, pod.name);
  State& s = *state_;
  std::string key = pod.Key();
  if (pod.uid.empty()) pod.uid = key;
  // Pods without IPs (pending, finished) are kept for lookup but own no
  // addresses and join no identity: nothing can reach them by policy.
  // hostNetwork pods use their node's addresses and identity: pod policy
  // neither selects them nor matches them as peers.
  if (pod.HoldsIps() && !pod.host_network) {
    s.pod_identity[key] =
        s.identities.Join(EndpointKind::kPod, pod.namespace_name, pod.labels, false, key);
    for (const IpAddress& ip : pod.ips) s.ips.Add(ip, {EndpointKind::kPod, key, pod.uid, pod.created});
  }
  // A hostNetwork pod's addresses are its node's: node peers, node
  // selection and the node's enforcement point cover them.
  if (pod.host_network && !pod.node_name.empty()) {
    s.host_network_pods[pod.node_name].insert(key);
    for (const IpAddress& ip : pod.ips) {
      s.host_network_ips.Add(ip, {EndpointKind::kNode, pod.node_name, pod.uid, pod.created});
    }
  }
  s.pods.emplace(std::move(key), std::move(pod));
}

bool PolicyEngine::DeletePod(const std::string& ns, const std::string& name) {
  State& s = *state_;
  std::string key = ns + "/" + name;
  auto it = s.pods.find(key);
  if (it == s.pods.end()) return false;
  const Pod& pod = it->second;
  if (!pod.host_network) {
    for (const IpAddress& ip : pod.ips) s.ips.Remove(ip, {EndpointKind::kPod, key, pod.uid, pod.created});
  } else if (!pod.node_name.empty()) {
    for (const IpAddress& ip : pod.ips) {
      s.host_network_ips.Remove(ip, {EndpointKind::kNode, pod.node_name, pod.uid, pod.created});
    }
    auto on_node = s.host_network_pods.find(pod.node_name);
    on_node->second.erase(key);
    if (on_node->second.empty()) s.host_network_pods.erase(on_node);
  }
  if (auto id = s.pod_identity.find(key); id != s.pod_identity.end()) {
    s.identities.Leave(id->second, key);
    s.pod_identity.erase(id);
  }
  s.pods.erase(it);
  return true;
}

void PolicyEngine::Upsert(Node node) {
  DeleteNode(node.name);
  State& s = *state_;
  s.node_identity[node.name] =
      s.identities.Join(EndpointKind::kNode, "", node.labels, false, node.name);
  for (const IpAddress& ip : node.ips) s.ips.Add(ip, {EndpointKind::kNode, node.name, node.name, ""});
  std::string name = node.name;
  s.nodes.emplace(std::move(name), std::move(node));
}

bool PolicyEngine::DeleteNode(const std::string& name) {
  State& s = *state_;
  auto it = s.nodes.find(name);
  if (it == s.nodes.end()) return false;
  for (const IpAddress& ip : it->second.ips) s.ips.Remove(ip, {EndpointKind::kNode, name, name, ""});
  s.identities.Leave(s.node_identity[name], name);
  s.node_identity.erase(name);
  s.nodes.erase(it);
  return true;
}

void PolicyEngine::Upsert(Workload workload) {
  DeleteWorkload(workload.name);
  State& s = *state_;
  s.workload_identity[workload.name] = s.identities.Join(
      EndpointKind::kWorkload, "", workload.labels, workload.unmanaged, workload.name);
  for (const IpAddress& ip : workload.ips) {
    s.ips.Add(ip, {EndpointKind::kWorkload, workload.name, workload.name, ""});
  }
  std::string name = workload.name;
  s.workloads.emplace(std::move(name), std::move(workload));
}

bool PolicyEngine::DeleteWorkload(const std::string& name) {
  State& s = *state_;
  auto it = s.workloads.find(name);
  if (it == s.workloads.end()) return false;
  for (const IpAddress& ip : it->second.ips) {
    s.ips.Remove(ip, {EndpointKind::kWorkload, name, name, ""});
  }
  s.identities.Leave(s.workload_identity[name], name);
  s.workload_identity.erase(name);
  s.workloads.erase(it);
  return true;
}

// Services and IPLists are read at match time; they change no selection.
void PolicyEngine::Upsert(Service service) {
  std::string key = service.Key();
  state_->services[key] = std::move(service);
}

bool PolicyEngine::DeleteService(const std::string& ns, const std::string& name) {
  return state_->services.erase(ns + "/" + name) > 0;
}

void PolicyEngine::Upsert(IpList list) {
  std::string name = list.name;
  state_->ip_lists[name] = std::move(list);
}

bool PolicyEngine::DeleteIpList(const std::string& name) { return state_->ip_lists.erase(name) > 0; }

// ---- policy ----

void PolicyEngine::Upsert(NetworkPolicy policy) {
  State& s = *state_;
  std::string key = policy.Key();
  std::string ns = policy.namespace_name;
  std::string name = policy.name;
  auto [it, inserted] = s.network_policies.insert_or_assign(key, std::move(policy));
  s.np_by_namespace[ns][name] = &it->second;
  s.BumpNamespace(ns);
}

bool PolicyEngine::DeleteNetworkPolicy(const std::string& ns, const std::string& name) {
  State& s = *state_;
  if (s.network_policies.erase(ns + "/" + name) == 0) return false;
  auto by_ns = s.np_by_namespace.find(ns);
  by_ns->second.erase(name);
  if (by_ns->second.empty()) s.np_by_namespace.erase(by_ns);
  s.BumpNamespace(ns);
  return true;
}

void PolicyEngine::Upsert(AdminNetworkPolicy policy) {
  State& s = *state_;
  if (policy.baseline) {
    s.baseline_policy = std::move(policy);
  } else {
    std::string name = policy.name;
    s.admin_policies[name] = std::move(policy);
  }
  ++s.cluster_generation;
}

bool PolicyEngine::DeleteAdminNetworkPolicy(const std::string& name) {
  if (state_->admin_policies.erase(name) == 0) return false;
  ++state_->cluster_generation;
  return true;
}

bool PolicyEngine::DeleteBaselineAdminNetworkPolicy() {
  if (!state_->baseline_policy) return false;
  state_->baseline_policy.reset();
  ++state_->cluster_generation;
  return true;
}

void PolicyEngine::Upsert(Ruleset ruleset) {
  std::string name = ruleset.name;
  state_->rulesets[name] = std::move(ruleset);
  ++state_->cluster_generation;
}

bool PolicyEngine::DeleteRuleset(const std::string& name) {
  if (state_->rulesets.erase(name) == 0) return false;
  ++state_->cluster_generation;
  return true;
}

void PolicyEngine::Upsert(EnforcementMode mode) {
  std::string name = mode.name;
  state_->modes[name] = std::move(mode);
  ++state_->cluster_generation;
}

bool PolicyEngine::DeleteEnforcementMode(const std::string& name) {
  if (state_->modes.erase(name) == 0) return false;
  ++state_->cluster_generation;
  return true;
}

// ---- endpoints ----

Endpoint PolicyEngine::State::MakeEndpoint(EndpointKind kind, const std::string& key,
                                           const IpAddress& ip) const {
  Endpoint e;
  e.kind = kind;
  e.name = key;
  e.ip = ip;
  e.has_ip = true;
  const std::unordered_map<std::string, IdentityId>* ids = nullptr;
  switch (kind) {
    case EndpointKind::kPod: ids = &pod_identity; break;
    case EndpointKind::kNode: ids = &node_identity; break;
    case EndpointKind::kWorkload: ids = &workload_identity; break;
    case EndpointKind::kExternal: e.name = ip.ToString(); return e;
  }
  if (auto it = ids->find(key); it != ids->end()) e.identity = it->second;
  return e;
}

Result<Endpoint> PolicyEngine::Resolve(std::string_view spec) const {
  const State& s = *state_;
  std::string text(spec);
  auto first_ip = [](const std::vector<IpAddress>& ips) { return ips.front(); };
  if (auto ip = IpAddress::Parse(text)) {
    if (const IpOwner* owner = s.ips.Lookup(*ip)) return s.MakeEndpoint(owner->kind, owner->key, *ip);
    if (const IpOwner* node = s.host_network_ips.Lookup(*ip)) {
      return s.MakeEndpoint(EndpointKind::kNode, node->key, *ip);
    }
    return s.MakeEndpoint(EndpointKind::kExternal, "", *ip);
  }
  auto named = [&](std::string_view prefix) -> std::optional<std::string> {
    if (text.rfind(prefix, 0) == 0) return text.substr(prefix.size());
    return std::nullopt;
  };
  if (auto name = named("node/")) {
    std::vector<IpAddress> ips = s.NodeAddresses(*name);
    if (!s.nodes.count(*name) && ips.empty()) {
      return Status::Error("no node named \"" + *name + "\"");
    }
    if (ips.empty()) return Status::Error("node " + *name + " has no address");
    return s.MakeEndpoint(EndpointKind::kNode, *name, first_ip(ips));
  }
  if (auto name = named("workload/")) {
    auto it = s.workloads.find(*name);
    if (it == s.workloads.end()) return Status::Error("no workload named \"" + *name + "\"");
    return s.MakeEndpoint(EndpointKind::kWorkload, *name, first_ip(it->second.ips));
  }
  std::string key = named("pod/").value_or(text);
  if (std::count(key.begin(), key.end(), '/') != 1) {
    return Status::Error("cannot resolve \"" + text +
                         "\": expected NAMESPACE/POD, node/NAME, workload/NAME or an IP address");
  }
  auto it = s.pods.find(key);
  if (it == s.pods.end()) return Status::Error("no pod named \"" + key + "\"");
  const Pod& pod = it->second;
  if (!pod.HoldsIps()) {
    return Status::Error("pod " + key + " holds no IP" +
                         (pod.phase.empty() ? "" : " (phase " + pod.phase + ")"));
  }
  // A hostNetwork pod is its node, at the pod's address: the same endpoint
  // (and so the same verdict) as that address or node/NAME.
  if (pod.host_network) {
    if (const IpOwner* owner = s.ips.Lookup(first_ip(pod.ips))) {
      if (owner->kind == EndpointKind::kNode) {
        return s.MakeEndpoint(EndpointKind::kNode, owner->key, first_ip(pod.ips));
      }
    }
    if (!pod.node_name.empty()) {
      return s.MakeEndpoint(EndpointKind::kNode, pod.node_name, first_ip(pod.ips));
    }
  }
  return s.MakeEndpoint(EndpointKind::kPod, key, first_ip(pod.ips));
}

std::vector<IpAddress> PolicyEngine::State::NodeAddresses(const std::string& node) const {
  std::vector<IpAddress> out;
  if (auto it = nodes.find(node); it != nodes.end()) out = it->second.ips;
  auto on_node = host_network_pods.find(node);
  if (on_node == host_network_pods.end()) return out;
  for (const std::string& key : on_node->second) {
    for (const IpAddress& ip : pods.at(key).ips) {
      if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
    }
  }
  return out;
}

const Pod* PolicyEngine::FindPod(const std::string& key) const {
  auto it = state_->pods.find(key);
  return it == state_->pods.end() ? nullptr : &it->second;
}

const std::unordered_set<std::string>* PolicyEngine::IdentityMembers(IdentityId id) const {
  if (id >= state_->identities.capacity()) return nullptr;
  const Identity& identity = state_->identities.Get(id);
  return identity.live() ? &identity.members : nullptr;
}

size_t PolicyEngine::AddressOwnerCount(const IpAddress& ip) const {
  return state_->ips.OwnerCount(ip);
}

std::vector<Endpoint> PolicyEngine::Endpoints(bool all_kinds) const {
  const State& s = *state_;
  std::vector<Endpoint> out;
  for (const auto& [key, pod] : s.pods) {
    if (pod.HoldsIps()) out.push_back(s.MakeEndpoint(EndpointKind::kPod, key, pod.ips.front()));
  }
  auto by_name = [](const Endpoint& a, const Endpoint& b) { return a.name < b.name; };
  std::sort(out.begin(), out.end(), by_name);
  if (!all_kinds) return out;
  size_t mark = out.size();
  for (const auto& [name, w] : s.workloads) {
    if (!w.ips.empty()) out.push_back(s.MakeEndpoint(EndpointKind::kWorkload, name, w.ips.front()));
  }
  std::sort(out.begin() + mark, out.end(), by_name);
  mark = out.size();
  for (const auto& [name, n] : s.nodes) {
    if (!n.ips.empty()) out.push_back(s.MakeEndpoint(EndpointKind::kNode, name, n.ips.front()));
  }
  std::sort(out.begin() + mark, out.end(), by_name);
  return out;
}

std::vector<Endpoint> PolicyEngine::LocalEndpoints(const std::string& node_name, bool stale_claims) const {
  const State& s = *state_;
  std::vector<Endpoint> out;
  // Only the current owner of an address is enforced on it (ip_index.h):
  // a stale pod sharing its successor's IP would give the kernel two
  // verdict sets for one address, a transaction it refuses.
  auto add = [&](EndpointKind kind, const std::string& key, const IpAddress& ip) {
    if (stale_claims || s.ips.Owns(ip, kind, key)) out.push_back(s.MakeEndpoint(kind, key, ip));
  };
  for (const auto& [key, pod] : s.pods) {
    if (pod.node_name != node_name || !pod.HoldsIps() || pod.host_network) continue;
    for (const IpAddress& ip : pod.ips) add(EndpointKind::kPod, key, ip);
  }
  for (const auto& [name, w] : s.workloads) {
    if (w.unmanaged || w.host != node_name) continue;
    for (const IpAddress& ip : w.ips) add(EndpointKind::kWorkload, name, ip);
  }
  // The node with its hostNetwork pods' addresses: they are the node's.
  for (const IpAddress& ip : s.NodeAddresses(node_name)) {
    if (stale_claims || s.OwnsAddress(ip, EndpointKind::kNode, node_name)) {
      out.push_back(s.MakeEndpoint(EndpointKind::kNode, node_name, ip));
    }
  }
  std::sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) {
    return std::tie(a.kind, a.name, a.ip) < std::tie(b.kind, b.name, b.ip);
  });
  return out;
}

const std::vector<ContainerPort>* PolicyEngine::State::PortsOf(const Endpoint& e) const {
  if (e.kind == EndpointKind::kPod) {
    if (auto it = pods.find(e.name); it != pods.end()) return &it->second.ports;
  } else if (e.kind == EndpointKind::kWorkload) {
    if (auto it = workloads.find(e.name); it != workloads.end()) return &it->second.ports;
  }
  return nullptr;
}

std::optional<uint16_t> PolicyEngine::ResolveNamedPort(const Endpoint& endpoint,
                                                        const std::string& name,
                                                        Protocol protocol) const {
  const std::vector<ContainerPort>* ports = state_->PortsOf(endpoint);
  if (!ports) return std::nullopt;
  for (const ContainerPort& p : *ports) {
    if (p.name == name && p.protocol == protocol) return p.port;
  }
  return std::nullopt;
}

PolicyEngine::Stats PolicyEngine::stats() const {
  const State& s = *state_;
  Stats st;
  st.pods = s.pods.size();
  st.namespaces = s.namespaces.size();
  st.nodes = s.nodes.size();
  st.workloads = s.workloads.size();
  st.identities = s.identities.live_count();
  st.network_policies = s.network_policies.size();
  st.admin_policies = s.admin_policies.size() + (s.baseline_policy ? 1 : 0);
  st.rulesets = s.rulesets.size();
  return st;
}

}  // namespace microseg
