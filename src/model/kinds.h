// The kind registry: every object kind microseg reads, in one table.
//
// Ingest (decoders, kinds.cc), the policy engine (apply order), the
// controller API (aliases, scope) and span/key code all read this table
// rather than keeping their own lists. Adding a kind means a row here, a
// list in ObjectSet, a decoder (ingest/kinds.cc: the compiler finds the
// switch) and the engine's Upsert/Delete.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "model/object_set.h"

namespace microseg {

enum class ObjectKind : uint8_t {
  kNamespace,
  kPod,
  kNode,
  kService,
  kNetworkPolicy,
  kAdminNetworkPolicy,
  kBaselineAdminNetworkPolicy,
  kWorkload,
  kIpList,
  kRuleset,
  kEnforcementMode,
};

struct KindInfo {
  ObjectKind id;
  std::string_view kind;         // "NetworkPolicy": as manifests and the API spell it
  std::string_view api_version;  // "networking.k8s.io/v1"
  bool namespaced;               // keyed "ns/name"; else "name"
  std::vector<std::string_view> aliases;  // lower case: plural first, then short names
};

// One decoded object of any kind. AdminNetworkPolicy covers the baseline
// kind too (its `baseline` flag tells them apart: KindOfObject).
using DecodedObject = std::variant<Namespace, Pod, Node, Service, NetworkPolicy, AdminNetworkPolicy,
                                   Workload, IpList, Ruleset, EnforcementMode>;

// Every kind, in the order messages list them ("Namespace, Pod, ...").
std::span<const KindInfo> AllKinds();

// The one order objects are applied to a PolicyEngine: what a kind refers
// to (namespaces, nodes, endpoints, IP lists) comes before what refers to it.
std::span<const ObjectKind> ApplyOrder();

const KindInfo& InfoOf(ObjectKind kind);
inline std::string_view KindName(ObjectKind kind) { return InfoOf(kind).kind; }

// By exact kind name ("IPList"); nullopt for kinds we do not read.
std::optional<ObjectKind> ParseObjectKind(std::string_view kind);

// "Namespace, Pod, ...": every kind, for messages.
std::string SupportedKindList();

// An object's key within its kind: "ns/name" when namespaced, else "name".
template <typename T>
std::string ObjectKeyOf(const T& object) {
  if constexpr (requires { object.Key(); }) {
    return object.Key();
  } else {
    return object.name;
  }
}

// The kind of a decoded object (an AdminNetworkPolicy's `baseline` flag
// tells the two admin kinds apart).
template <typename T>
ObjectKind KindOfObject(const T& object) {
  if constexpr (std::is_same_v<T, Namespace>) return ObjectKind::kNamespace;
  if constexpr (std::is_same_v<T, Pod>) return ObjectKind::kPod;
  if constexpr (std::is_same_v<T, Node>) return ObjectKind::kNode;
  if constexpr (std::is_same_v<T, Service>) return ObjectKind::kService;
  if constexpr (std::is_same_v<T, NetworkPolicy>) return ObjectKind::kNetworkPolicy;
  if constexpr (std::is_same_v<T, AdminNetworkPolicy>) {
    return object.baseline ? ObjectKind::kBaselineAdminNetworkPolicy
                           : ObjectKind::kAdminNetworkPolicy;
  }
  if constexpr (std::is_same_v<T, Workload>) return ObjectKind::kWorkload;
  if constexpr (std::is_same_v<T, IpList>) return ObjectKind::kIpList;
  if constexpr (std::is_same_v<T, Ruleset>) return ObjectKind::kRuleset;
  if constexpr (std::is_same_v<T, EnforcementMode>) return ObjectKind::kEnforcementMode;
}

// The namespace of an object, "" for cluster-scoped kinds.
template <typename T>
std::string_view NamespaceOf(const T& object) {
  if constexpr (requires { object.namespace_name; }) {
    return object.namespace_name;
  } else {
    return {};
  }
}

// Calls fn(ObjectKind, T& object) for every object of `set`, kind by kind
// in ApplyOrder(). `Set` is ObjectSet or const ObjectSet.
template <typename Set, typename Fn>
void ForEachObject(Set& set, Fn&& fn) {
  for (ObjectKind kind : ApplyOrder()) {
    auto each = [&](auto& list) {
      for (auto& o : list) fn(kind, o);
    };
    switch (kind) {
      case ObjectKind::kNamespace: each(set.namespaces); break;
      case ObjectKind::kPod: each(set.pods); break;
      case ObjectKind::kNode: each(set.nodes); break;
      case ObjectKind::kService: each(set.services); break;
      case ObjectKind::kNetworkPolicy: each(set.network_policies); break;
      case ObjectKind::kAdminNetworkPolicy: each(set.admin_network_policies); break;
      case ObjectKind::kBaselineAdminNetworkPolicy:
        if (set.baseline_admin_network_policy) fn(kind, *set.baseline_admin_network_policy);
        break;
      case ObjectKind::kWorkload: each(set.workloads); break;
      case ObjectKind::kIpList: each(set.ip_lists); break;
      case ObjectKind::kRuleset: each(set.rulesets); break;
      case ObjectKind::kEnforcementMode: each(set.enforcement_modes); break;
    }
  }
}

}  // namespace microseg
