// Who sent a request, and whether they may (docs/CONTROLLER.md, Security).
//
//   no credentials needed: GET /healthz, GET /api/v1/ca (the CA certificate,
//     which agents pin by fingerprint), POST /api/v1/agents/enroll (the join
//     token is in the body)
//   Authorization: Bearer <admin token>: everything (with or without a
//     client certificate)
//   an agent's client certificate (TLS only; node from the URI SAN
//     spiffe://microseg/node/NAME, verified against the CA in the handshake):
//     GET  /api/v1/span?node=NAME, GET /api/v1/nodes/NAME/span...
//     GET  /api/v1/watch?node=NAME: its span stream
//     GET  /api/v1/watch (no node), with every event reduced to its type and
//          resourceVersion: an agent learns *that* something changed, and
//          reads only its own span
//     POST /api/v1/agents/NAME/status
//     POST /api/v1/flows whose every record names node NAME
//     POST /api/v1/apply of exactly its host Workload NAME {spec.host: NAME}
//   anything else: 401 without credentials or with a wrong token, 403 for an
//   agent, with a message naming the rule.
#pragma once

#include <httplib.h>

#include <atomic>
#include <string>

#include "microseg/store.h"

namespace microseg {

class RequestAuthorizer {
 public:
  // `store` and `stopping` serve agents' reduced watches; both outlive this.
  RequestAuthorizer(std::string admin_token, Store* store, const std::atomic<bool>* stopping)
      : admin_token_(std::move(admin_token)), store_(store), stopping_(stopping) {}

  // The pre-routing decision: true lets the request on to its route; false
  // means `res` holds the reply (an error, or an agent's reduced watch).
  bool Authorize(const httplib::Request& req, httplib::Response& res) const;

 private:
  bool AuthorizeAgent(const std::string& node, const httplib::Request& req,
                      httplib::Response& res) const;

  const std::string admin_token_;
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
