// The controller's routes as one table: method, path pattern, who may call,
// handler. The server registers its routes from it (RegisterRoutes) and the
// RequestAuthorizer decides from the same rows, so a rule cannot exist
// without its route nor a route without its rule (docs/CONTROLLER.md,
// Security).
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

namespace microseg {

// Who may call a route. The admin token may call every route; an agent's
// client certificate (node NAME) only the rows that say agent.
enum class Access {
  kAnyone,        // no credentials: holds no data, or is how an agent joins
  kAdmin,         // the admin token only
  kAgentSpan,     // also agent NAME, with ?node=NAME (its span)
  kAgentWatch,    // also agent NAME: ?node=NAME (its span stream), or without
                  // node the watch reduced to types and resourceVersions
  kAgentOwnPath,  // also agent NAME, when the path's first group is NAME
  kAgentBody,     // also an agent; the handler checks the body first
                  // (AgentMayPostBody: the body is read after authorization)
};

const char* AccessName(Access access);

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // httplib's: a regular expression over the whole path
  Access access;
  httplib::Server::Handler handler;
};

using RouteTable = std::vector<Route>;

// Registers every row of `routes` on `server`.
void RegisterRoutes(const RouteTable& routes, httplib::Server* server);

}  // namespace microseg
