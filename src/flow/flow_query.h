// QueryFlows: the filter behind `microseg flows`, as a library function so
// the controller answers the same query over its own aggregates.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "flow/endpoint_selector.h"
#include "flow/flow_aggregator.h"

namespace microseg {

struct FlowQuery {
  std::optional<EndpointSelector> from;  // matches the source
  std::optional<EndpointSelector> to;    // matches the destination
  std::optional<FlowVerdict> verdict;
  std::optional<int64_t> since;  // keep aggregates last seen at or after (Unix seconds)
  size_t limit = 0;              // 0: no limit
};

// The aggregates that match every set condition, in input order.
std::vector<AggregatedFlow> QueryFlows(const std::vector<AggregatedFlow>& flows,
                                       const FlowQuery& query);

// One aggregate as the `flows -o json` object (and the controller's API):
// {"src":{...},"dst":{...},"protocol","port","verdict","flows","packets",
//  "bytes","first","last","model","policies"}.
nlohmann::json AggregatedFlowToJson(const AggregatedFlow& flow);
nlohmann::json EndpointInfoToJson(const EndpointInfo& e);

}  // namespace microseg
