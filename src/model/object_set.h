// ObjectSet: a bag of decoded objects, as read from manifests or a store.
//
// It carries no indexes; PolicyEngine::Load (src/policy) builds them.
#pragma once

#include <optional>
#include <vector>

#include "model/admin_network_policy.h"
#include "model/inventory.h"
#include "model/network_policy.h"
#include "model/ruleset.h"

namespace microseg {

struct ObjectSet {
  std::vector<Namespace> namespaces;
  std::vector<Pod> pods;
  std::vector<Node> nodes;
  std::vector<Service> services;
  std::vector<NetworkPolicy> network_policies;
  std::vector<AdminNetworkPolicy> admin_network_policies;
  std::optional<AdminNetworkPolicy> baseline_admin_network_policy;
  std::vector<Workload> workloads;
  std::vector<IpList> ip_lists;
  std::vector<Ruleset> rulesets;
  std::vector<EnforcementMode> enforcement_modes;

  size_t size() const {
    return namespaces.size() + pods.size() + nodes.size() + services.size() +
           network_policies.size() + admin_network_policies.size() +
           (baseline_admin_network_policy ? 1 : 0) + workloads.size() + ip_lists.size() +
           rulesets.size() + enforcement_modes.size();
  }
};

}  // namespace microseg
