// Reading back the aggregate objects of `flows -o json` and of the
// controller's GET /api/v1/flows (AggregatedFlowToJson), so the CLI prints
// and maps the controller's aggregates with the same code as a file's.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "flow/flow_aggregator.h"

namespace microseg {

Result<EndpointRef> EndpointInfoFromJson(const nlohmann::json& j);
Result<AggregatedFlow> AggregatedFlowFromJson(const nlohmann::json& j);
// A JSON array of aggregates; errors name the index.
Result<std::vector<AggregatedFlow>> AggregatedFlowsFromJson(const nlohmann::json& items);

}  // namespace microseg
