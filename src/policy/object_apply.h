// Applying single-object changes to a PolicyEngine by API kind: what the
// controller's live engine and the agent's span stream both need.
#pragma once

#include <string>

#include "model/object_set.h"
#include "policy/policy_engine.h"

namespace microseg {

// Upserts every object of `objects` (replacing by key).
void UpsertObjects(PolicyEngine* engine, ObjectSet objects);

// Deletes the object of API kind `kind` ("Pod", "NetworkPolicy", ...,
// "BaselineAdminNetworkPolicy", "IPList"); false when absent or the kind is
// unknown.
bool DeleteObject(PolicyEngine* engine, const std::string& kind, const std::string& ns,
                  const std::string& name);

}  // namespace microseg
