// AdminNetworkPolicy and BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1), as one type.
//
// Admin policies are cluster-scoped and ordered: rules are evaluated in list
// order, policies by ascending priority. BANP is the singleton "default"; it
// has no priority and its actions are only Allow and Deny.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/labels.h"
#include "model/port_match.h"

namespace microseg {

enum class AdminAction : uint8_t { kAllow, kDeny, kPass };
std::string_view AdminActionName(AdminAction a);

// Subject: `namespaces: <selector>` (all pods in them) or
// `pods: {namespaceSelector, podSelector}`.
struct AdminSubject {
  LabelSelector namespace_selector;
  std::optional<LabelSelector> pod_selector;  // absent: subject by namespaces
};

struct AdminPeer {
  enum class Kind : uint8_t { kNamespaces, kPods, kNodes, kNetworks };
  Kind kind = Kind::kNamespaces;
  LabelSelector namespace_selector;  // kNamespaces, kPods
  LabelSelector pod_selector;        // kPods
  LabelSelector node_selector;       // kNodes (egress only)
  std::vector<Cidr> networks;        // kNetworks (egress only)
};

struct AdminRule {
  std::string name;
  AdminAction action = AdminAction::kDeny;
  std::vector<AdminPeer> peers;
  // Absent: all ports. (An empty list is rejected by validation.)
  std::optional<std::vector<PortMatch>> ports;
};

struct AdminNetworkPolicy {
  std::string name;
  bool baseline = false;  // BaselineAdminNetworkPolicy
  int priority = 0;       // 0..1000, lower is evaluated first; 0 for baseline
  AdminSubject subject;
  std::vector<AdminRule> ingress;
  std::vector<AdminRule> egress;

  std::string KindName() const {
    return baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy";
  }
};

}  // namespace microseg
