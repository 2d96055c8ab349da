// The cluster of a scenario (test/testing/scenario.h): its layout's objects
// plus its own manifests, and the endpoints its truth tables name. Shared by
// the two runners of the scenarios: the engine's (test/scenarios_test.cc)
// and the real kernel's (test/scenarios_lab_test.cc).
#pragma once

#include <optional>
#include <string>

#include "common/ip.h"
#include "common/status.h"
#include "model/object_set.h"
#include "policy/policy_engine.h"
#include "testing/scenario.h"

namespace microseg::testutil {

// The layout's objects, then the scenario's own manifests.
Result<ObjectSet> LoadScenarioObjects(const Scenario& scenario);

// Resolves a table name. With a family, pods ("ns/name") and nodes
// ("node/NAME") are resolved through their address of that family, so the
// engine sees the flow that family's packets would be.
Result<Endpoint> ResolveTableName(const PolicyEngine& engine, const ObjectSet& objects,
                                  const std::string& name, std::optional<IpFamily> family);

}  // namespace microseg::testutil
