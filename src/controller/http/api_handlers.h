// The routes of the API (see controller.h), registered on an httplib server.
#pragma once

#include <atomic>

#include "microseg/store.h"

namespace httplib {
class Server;
}

namespace microseg {

// `store` and `stopping` must outlive the server; watches end soon after
// `stopping` becomes true.
void RegisterApiRoutes(httplib::Server* server, Store* store, const std::atomic<bool>* stopping);

}  // namespace microseg
