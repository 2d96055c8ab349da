// Applying single-object changes to a PolicyEngine by kind: what the
// controller's live engine and the agent's span stream both need.
#pragma once

#include <string>

#include "model/kinds.h"
#include "model/object_set.h"
#include "policy/policy_engine.h"

namespace microseg {

// Upserts every object of `objects` (replacing by key), kind by kind in the
// registry's ApplyOrder() (as PolicyEngine::Load does).
void UpsertObjects(PolicyEngine* engine, ObjectSet objects);

// Upserts one typed object (as ingest's DecodeObject returns it).
void UpsertObject(PolicyEngine* engine, DecodedObject object);

// Deletes the object of kind `kind`; false when absent.
bool DeleteObject(PolicyEngine* engine, ObjectKind kind, const std::string& ns,
                  const std::string& name);

// The same by kind name ("Pod", "IPList", ...); false also when the kind is
// unknown.
bool DeleteObject(PolicyEngine* engine, const std::string& kind, const std::string& ns,
                  const std::string& name);

}  // namespace microseg
