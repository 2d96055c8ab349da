#include "policy/object_apply.h"

namespace microseg {

void UpsertObjects(PolicyEngine* engine, ObjectSet objects) {
  for (Namespace& o : objects.namespaces) engine->Upsert(std::move(o));
  for (Node& o : objects.nodes) engine->Upsert(std::move(o));
  for (Pod& o : objects.pods) engine->Upsert(std::move(o));
  for (Workload& o : objects.workloads) engine->Upsert(std::move(o));
  for (Service& o : objects.services) engine->Upsert(std::move(o));
  for (IpList& o : objects.ip_lists) engine->Upsert(std::move(o));
  for (NetworkPolicy& o : objects.network_policies) engine->Upsert(std::move(o));
  for (AdminNetworkPolicy& o : objects.admin_network_policies) engine->Upsert(std::move(o));
  if (objects.baseline_admin_network_policy) {
    engine->Upsert(std::move(*objects.baseline_admin_network_policy));
  }
  for (Ruleset& o : objects.rulesets) engine->Upsert(std::move(o));
  for (EnforcementMode& o : objects.enforcement_modes) engine->Upsert(std::move(o));
}

bool DeleteObject(PolicyEngine* engine, const std::string& kind, const std::string& ns,
                  const std::string& name) {
  if (kind == "Pod") return engine->DeletePod(ns, name);
  if (kind == "Namespace") return engine->DeleteNamespace(name);
  if (kind == "Node") return engine->DeleteNode(name);
  if (kind == "Service") return engine->DeleteService(ns, name);
  if (kind == "NetworkPolicy") return engine->DeleteNetworkPolicy(ns, name);
  if (kind == "AdminNetworkPolicy") return engine->DeleteAdminNetworkPolicy(name);
  if (kind == "BaselineAdminNetworkPolicy") return engine->DeleteBaselineAdminNetworkPolicy();
  if (kind == "Workload") return engine->DeleteWorkload(name);
  if (kind == "IPList") return engine->DeleteIpList(name);
  if (kind == "Ruleset") return engine->DeleteRuleset(name);
  if (kind == "EnforcementMode") return engine->DeleteEnforcementMode(name);
  return false;
}

}  // namespace microseg
