// PolicyEngine::State: the engine's storage and indexes (internal).
//
// Shared by the engine's .cc files: policy_engine.cc (storage, updates),
// selection.cc (which policies select an identity), peer_match.cc,
// evaluate.cc (verdicts and traces) and rules_for.cc (dataplane input).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/identity_table.h"
#include "index/ip_index.h"
#include "policy/policy_engine.h"

namespace microseg {

// An entry of the admin tier: an ANP or an admin-tier Ruleset.
struct AdminEntry {
  int priority = 0;
  const AdminNetworkPolicy* anp = nullptr;
  const Ruleset* ruleset = nullptr;
};

// Which policies select one identity; valid while its generations match.
struct Selection {
  bool valid = false;
  uint64_t incarnation = 0;  // of the identity it was computed for
  uint64_t cluster_generation = 0;
  uint64_t namespace_generation = 0;
  std::vector<AdminEntry> admin;                   // ordered (priority, ANP first, name)
  std::vector<const NetworkPolicy*> np_ingress;    // ordered by name
  std::vector<const NetworkPolicy*> np_egress;
  std::vector<const Ruleset*> application;         // ordered (priority, name)
  std::vector<const Ruleset*> baseline;            // ordered (priority, name)
  bool banp = false;                               // the BANP's subject selects it
  std::optional<Mode> mode;                        // from EnforcementModes
  std::vector<std::string> mode_sources;
};

struct PolicyEngine::State {
  std::unordered_map<std::string, Namespace> namespaces;
  std::unordered_map<std::string, Pod> pods;  // by "ns/name"
  std::unordered_map<std::string, Node> nodes;
  std::unordered_map<std::string, Service> services;  // by "ns/name"
  std::unordered_map<std::string, NetworkPolicy> network_policies;  // by "ns/name"
  // Per namespace, its NetworkPolicies by name (NetworkPolicy selects only
  // pods of its own namespace, so selection never looks further).
  std::unordered_map<std::string, std::map<std::string, const NetworkPolicy*>> np_by_namespace;
  std::map<std::string, AdminNetworkPolicy> admin_policies;
  std::optional<AdminNetworkPolicy> baseline_policy;
  std::unordered_map<std::string, Workload> workloads;
  std::unordered_map<std::string, IpList> ip_lists;
  std::map<std::string, Ruleset> rulesets;
  std::map<std::string, EnforcementMode> modes;

  IdentityTable identities;
  std::unordered_map<std::string, IdentityId> pod_identity, node_identity, workload_identity;
  IpIndex ips;
  // hostNetwork pods are their node (Kubernetes: traffic from and to them
  // is the node's): per node name, its hostNetwork pods' keys, and their
  // addresses owned by the node ({kNode, node, pod uid}). Kept apart from
  // `ips` so a pod repeating its node's address (the usual case) is not a
  // second owner of it; Resolve consults it when `ips` has no owner.
  std::unordered_map<std::string, std::set<std::string>> host_network_pods;
  IpIndex host_network_ips;

  // Selection caches are invalidated by generation: cluster-scoped policy
  // changes bump `cluster_generation`; a namespace's NetworkPolicies or
  // labels bump its own entry.
  uint64_t cluster_generation = 1;
  std::unordered_map<std::string, uint64_t> namespace_generation;
  mutable std::vector<Selection> selections;  // by IdentityId
  // Labels of namespaces that have pods but no Namespace object: just the
  // name label the API server would have set.
  mutable std::unordered_map<std::string, Labels> implicit_namespace_labels;
  // Per pod identity, its namespace's labels: peer matching asks for them
  // once per namespaceSelector it tries, and hashing the namespace name
  // each time was a visible share of a check. An entry is valid while the
  // identity's incarnation and `namespace_labels_epoch` match; the epoch is
  // bumped whenever a Namespace is created, replaced or deleted (either can
  // change which Labels object applies).
  struct NamespaceLabelsEntry {
    uint64_t incarnation = 0;
    uint64_t epoch = 0;
    const Labels* labels = nullptr;
  };
  uint64_t namespace_labels_epoch = 1;
  mutable std::vector<NamespaceLabelsEntry> namespace_labels_cache;  // by IdentityId

  // --- helpers (selection.cc / peer_match.cc) ---
  const Labels& NamespaceLabels(const std::string& ns) const;
  // NamespaceLabels(identity.namespace_name), cached per identity (pods only).
  const Labels& NamespaceLabelsOf(const Identity& identity) const;
  uint64_t NamespaceGeneration(const std::string& ns) const;
  void BumpNamespace(const std::string& ns) { ++namespace_generation[ns]; }
  const Selection& SelectionFor(IdentityId id) const;
  bool ScopeSelects(const Scope& scope, const Identity& identity) const;
  bool AdminSubjectSelects(const AdminSubject& subject, const Identity& identity) const;

  // A node's addresses: its Node object's, then those of its hostNetwork
  // pods that the Node does not list (empty when neither exists).
  std::vector<IpAddress> NodeAddresses(const std::string& node) const;
  // Whether (kind, key) owns `ip` as Resolve answers it: the most recent
  // claim in `ips`, or, for an address no pod, node or workload claims, the
  // node whose hostNetwork pod reports it.
  bool OwnsAddress(const IpAddress& ip, EndpointKind kind, const std::string& key) const {
    if (ips.OwnerCount(ip) != 0) return ips.Owns(ip, kind, key);
    return kind == EndpointKind::kNode && host_network_ips.Owns(ip, kind, key);
  }
  // The container/workload ports of the endpoint, or null.
  const std::vector<ContainerPort>* PortsOf(const Endpoint& e) const;
  Endpoint MakeEndpoint(EndpointKind kind, const std::string& key, const IpAddress& ip) const;
};

}  // namespace microseg
