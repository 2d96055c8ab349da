#include "policy/object_apply.h"

namespace microseg {

void UpsertObjects(PolicyEngine* engine, ObjectSet objects) {
  ForEachObject(objects, [engine](ObjectKind, auto& o) { engine->Upsert(std::move(o)); });
}

void UpsertObject(PolicyEngine* engine, DecodedObject object) {
  std::visit([engine](auto&& o) { engine->Upsert(std::move(o)); }, std::move(object));
}

bool DeleteObject(PolicyEngine* engine, ObjectKind kind, const std::string& ns,
                  const std::string& name) {
  switch (kind) {
    case ObjectKind::kNamespace: return engine->DeleteNamespace(name);
    case ObjectKind::kPod: return engine->DeletePod(ns, name);
    case ObjectKind::kNode: return engine->DeleteNode(name);
    case ObjectKind::kService: return engine->DeleteService(ns, name);
    case ObjectKind::kNetworkPolicy: return engine->DeleteNetworkPolicy(ns, name);
    case ObjectKind::kAdminNetworkPolicy: return engine->DeleteAdminNetworkPolicy(name);
    case ObjectKind::kBaselineAdminNetworkPolicy: return engine->DeleteBaselineAdminNetworkPolicy();
    case ObjectKind::kWorkload: return engine->DeleteWorkload(name);
    case ObjectKind::kIpList: return engine->DeleteIpList(name);
    case ObjectKind::kRuleset: return engine->DeleteRuleset(name);
    case ObjectKind::kEnforcementMode: return engine->DeleteEnforcementMode(name);
  }
  return false;
}

bool DeleteObject(PolicyEngine* engine, const std::string& kind, const std::string& ns,
                  const std::string& name) {
  std::optional<ObjectKind> parsed = ParseObjectKind(kind);
  return parsed && DeleteObject(engine, *parsed, ns, name);
}

}  // namespace microseg
