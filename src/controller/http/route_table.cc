#include "controller/http/route_table.h"

namespace microseg {

const char* AccessName(Access access) {
  switch (access) {
    case Access::kAnyone:
      return "anyone";
    case Access::kAdmin:
      return "admin";
    case Access::kAgentSpan:
      return "agent (its span)";
    case Access::kAgentWatch:
      return "agent (its span stream, or the reduced watch)";
    case Access::kAgentOwnPath:
      return "agent (its own path)";
    case Access::kAgentBody:
      return "agent (its own body)";
  }
  return "?";
}

void RegisterRoutes(const RouteTable& routes, httplib::Server* server) {
  for (const Route& route : routes) {
    if (route.method == "GET") {
      server->Get(route.pattern, route.handler);
    } else if (route.method == "POST") {
      server->Post(route.pattern, route.handler);
    } else if (route.method == "DELETE") {
      server->Delete(route.pattern, route.handler);
    } else if (route.method == "PUT") {
      server->Put(route.pattern, route.handler);
    }
  }
}

}  // namespace microseg
