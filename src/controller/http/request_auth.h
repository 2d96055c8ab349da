// Who sent a request, and whether they may (docs/CONTROLLER.md, Security).
//
// The rules are the "who may call" column of the route table
// (route_table.h, controller_routes.h); this reads them:
//   anyone: no credentials needed
//   Authorization: Bearer <admin token>: every route (with or without a
//     client certificate); a wrong token is a 401 even where an agent might
//   an agent's client certificate (TLS only; node from the URI SAN
//     spiffe://microseg/node/NAME, verified against the CA in the handshake):
//     the agent rows, for its own node NAME; GET /api/v1/watch without node
//     is served here with every event reduced to its type and
//     resourceVersion: an agent learns *that* something changed, and reads
//     only its own span
//   anything else: 401 without credentials, 403 for an agent, with a message
//   naming the rule.
#pragma once

#include <httplib.h>

#include <atomic>
#include <regex>
#include <string>
#include <vector>

#include "controller/http/route_table.h"
#include "microseg/store.h"

namespace microseg {

// Who sent a request, as its credentials say.
struct Caller {
  enum class Kind { kAnonymous, kAdmin, kBadToken, kAgent };
  Kind kind = Kind::kAnonymous;
  std::string node;  // kAgent: the certificate's node
};

struct Decision {
  enum class Verdict {
    kAllow,         // on to the route
    kUnauthorized,  // 401 `message`
    kForbidden,     // 403 `message`
    kReducedWatch,  // an agent's watch without node: served by the authorizer
  };
  Verdict verdict = Verdict::kAllow;
  std::string message;
};

class RequestAuthorizer {
 public:
  // Reads the methods, patterns and access of `routes` (not their handlers).
  // `store` and `stopping` serve agents' reduced watches; both outlive this.
  RequestAuthorizer(std::string admin_token, const RouteTable& routes, Store* store,
                    const std::atomic<bool>* stopping);

  // The pre-routing decision: true lets the request on to its route; false
  // means `res` holds the reply (an error, or an agent's reduced watch).
  bool Authorize(const httplib::Request& req, httplib::Response& res) const;

  // What the table says `caller` may do with `req`: Authorize's rule, apart
  // from the credentials and the reply.
  Decision Decide(const Caller& caller, const httplib::Request& req) const;

 private:
  struct Rule {
    std::string method;
    std::regex pattern;
    Access access;
  };
  // The row httplib will route `req` to (the first whose pattern matches the
  // whole path; HEAD is served by GET rows), or null; `groups` its captures.
  const Rule* Find(const httplib::Request& req, std::smatch* groups) const;
  Caller Identify(const httplib::Request& req) const;
  Decision DecideAgent(const std::string& node, const Rule* rule, const std::smatch& groups,
                       const httplib::Request& req) const;

  const std::string admin_token_;
  std::vector<Rule> rules_;
  Store* store_;
  const std::atomic<bool>* stopping_;
};

// For the routes whose rule depends on the body (apply, flows): httplib reads
// the body only after the pre-routing check, so their handlers call this
// first. True for admin requests; for an agent's, checks the body and
// otherwise replies 403 and returns false.
bool AgentMayPostBody(const httplib::Request& req, httplib::Response& res);

// Whether `body` (as POST /api/v1/apply receives it) is exactly the host
// Workload of `node`; `why` says what else it is.
bool IsHostRegistration(const httplib::Request& req, const std::string& node, std::string* why);

// Whether every flow record of a POST /api/v1/flows body names `node`.
bool FlowsAreFromNode(const std::string& body, const std::string& node, std::string* why);

}  // namespace microseg
