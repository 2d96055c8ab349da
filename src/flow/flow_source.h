// Flow inputs of the CLI today (manifests + flow files), aggregated.
//
// The controller will build the same FlowInputs from its store and the
// agents' reports; commands only see aggregates.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "flow/endpoint_directory.h"
#include "flow/flow_aggregator.h"
#include "model/object_set.h"
#include "policy/policy_engine.h"

namespace microseg {

struct FlowInputs {
  ObjectSet objects;                     // as loaded; empty without manifests
  std::unique_ptr<PolicyEngine> engine;  // null without manifests
  std::unique_ptr<EndpointDirectory> directory;
  std::vector<AggregatedFlow> flows;  // FlowAggregator::Snapshot()
  FlowTotals totals;
  uint64_t folded = 0;                // aggregates folded for lack of room
  std::vector<std::string> warnings;  // from the manifest loader
};

// Loads `manifests` (may be empty: addresses stay external) and aggregates
// every record of `flow_files` ("-" is stdin).
Result<FlowInputs> LoadFlowInputs(const std::vector<std::string>& manifests,
                                  const std::vector<std::string>& flow_files,
                                  const AggregatorOptions& options);

}  // namespace microseg
