// The routes of the API (see controller.h), as rows of the route table.
#pragma once

#include <atomic>

#include "controller/http/route_table.h"
#include "microseg/store.h"

namespace microseg {

class SpanComputer;

// `store`, `stopping` and `spans` must outlive the server; watches end soon
// after `stopping` becomes true. With `spans`, GET /api/v1/watch?node=NODE
// is NODE's span delta stream (watch_handler.h); without, it is a 404.
void AddApiRoutes(RouteTable* routes, Store* store, const std::atomic<bool>* stopping,
                  SpanComputer* spans = nullptr);

}  // namespace microseg
