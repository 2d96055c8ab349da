// The routes of the API (see controller.h), registered on an httplib server.
#pragma once

#include <atomic>

#include "microseg/store.h"

namespace httplib {
class Server;
}

namespace microseg {

class SpanComputer;

// `store`, `stopping` and `spans` must outlive the server; watches end soon
// after `stopping` becomes true. With `spans`, GET /api/v1/watch?node=NODE
// is NODE's span delta stream (watch_handler.h); without, it is a 404.
void RegisterApiRoutes(httplib::Server* server, Store* store, const std::atomic<bool>* stopping,
                       SpanComputer* spans = nullptr);

}  // namespace microseg
