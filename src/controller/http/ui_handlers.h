// The web UI (docs/ARCHITECTURE.md, "Web UI"): the application dependency
// map in a browser, and the JSON it draws.
//   GET /ui/, /ui/NAME   the embedded bundle (ui_assets.h); no token needed,
//                        it holds no data. The page reads the token from its
//                        URL fragment (/ui/#token=...) or asks for it.
//   GET /api/v1/map      ?group=app|namespace|workload|LABEL&namespace=NS
//                        &label=SEL&verdict=V&since=15m|RFC3339
//                        the dependency map (flow/dependency_map.h) of the
//                        kept flows: {"nodes","edges","facets","records",
//                        "resourceVersion"}; `namespace` and `label` keep the
//                        aggregates with either end matching
//   GET /api/v1/map/flows ?from=NODE&to=NODE plus the map's parameters: the
//                        aggregates of one edge, each with the deciding
//                        policy, tier and rule of both directions
#pragma once

#include "controller/http/route_table.h"
#include "microseg/store.h"

namespace microseg {

class FlowService;

// `store` and `flows` must outlive the server.
void AddUiRoutes(RouteTable* routes, Store* store, FlowService* flows);

}  // namespace microseg
