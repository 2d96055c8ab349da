// Writes recommended objects as Kubernetes/microseg manifests (YAML, one
// document per object) in the format src/ingest reads back, so a
// recommendation can be verified by loading it like any manifest.
#pragma once

#include <string>

#include "model/object_set.h"

namespace microseg {

// NetworkPolicies, IPLists, Rulesets and EnforcementModes of `objects`, in
// that order; other kinds are not written. `comment` (may be empty) opens
// the stream as '#' lines.
std::string ObjectsToYaml(const ObjectSet& objects, const std::string& comment);

}  // namespace microseg
