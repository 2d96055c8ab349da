// The route table's "who may call" column is what the authorizer decides:
// every row is authorized as declared, and no rule exists without a route.
#include "controller/http/route_table.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "controller/http/controller_routes.h"
#include "controller/http/request_auth.h"

namespace microseg {
namespace {

using Verdict = Decision::Verdict;

// Handlers are not called here: no services behind them.
RouteTable Table() { return ControllerRoutes(ControllerServices{}); }

// A path the row's pattern matches, each group filled with `node`.
std::string SamplePath(const Route& route, const std::string& node) {
  std::string path = std::regex_replace(route.pattern, std::regex(R"(\([^)]*\)\??)"), node);
  EXPECT_TRUE(std::regex_match(path, std::regex(route.pattern))) << route.pattern << " " << path;
  return path;
}

httplib::Request Request(const std::string& method, const std::string& path,
                         const std::string& node_param = "") {
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!node_param.empty()) req.params.emplace("node", node_param);
  return req;
}

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTable routes_ = Table();
  RequestAuthorizer authorizer_{"admin-token", routes_, nullptr, nullptr};
  const Caller anonymous_{};
  const Caller admin_{Caller::Kind::kAdmin, ""};
  const Caller bad_token_{Caller::Kind::kBadToken, ""};
  const Caller agent_{Caller::Kind::kAgent, "node-a"};

  Verdict For(const Caller& caller, const httplib::Request& req) {
    return authorizer_.Decide(caller, req).verdict;
  }
};

TEST_F(RouteTableTest, EveryRouteIsAuthorizedAsDeclared) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& route : routes_) {
    SCOPED_TRACE(route.method + " " + route.pattern + " (" + AccessName(route.access) + ")");
    EXPECT_TRUE(route.method == "GET" || route.method == "POST" || route.method == "DELETE")
        << "RegisterRoutes serves no other method";
    EXPECT_TRUE(seen.insert({route.method, route.pattern}).second) << "a route twice";
    EXPECT_TRUE(route.handler != nullptr);
    // The agent's own node in the path and ?node=, and another's.
    httplib::Request own = Request(route.method, SamplePath(route, "node-a"), "node-a");
    httplib::Request other = Request(route.method, SamplePath(route, "node-b"), "node-b");

    EXPECT_EQ(For(admin_, own), Verdict::kAllow);
    const bool anyone = route.access == Access::kAnyone;
    EXPECT_EQ(For(anonymous_, own), anyone ? Verdict::kAllow : Verdict::kUnauthorized);
    EXPECT_EQ(For(bad_token_, own), anyone ? Verdict::kAllow : Verdict::kUnauthorized);
    switch (route.access) {
      case Access::kAnyone:
      case Access::kAgentBody:  // the handler checks the body
        EXPECT_EQ(For(agent_, own), Verdict::kAllow);
        EXPECT_EQ(For(agent_, other), Verdict::kAllow);
        break;
      case Access::kAdmin:
        EXPECT_EQ(For(agent_, own), Verdict::kForbidden);
        EXPECT_EQ(For(agent_, other), Verdict::kForbidden);
        break;
      case Access::kAgentSpan:
      case Access::kAgentOwnPath:
        EXPECT_EQ(For(agent_, own), Verdict::kAllow);
        EXPECT_EQ(For(agent_, other), Verdict::kForbidden);
        break;
      case Access::kAgentWatch:
        EXPECT_EQ(For(agent_, own), Verdict::kAllow);
        EXPECT_EQ(For(agent_, other), Verdict::kForbidden);
        EXPECT_EQ(For(agent_, Request(route.method, own.path)), Verdict::kReducedWatch);
        break;
    }
  }
}

TEST_F(RouteTableTest, NoRuleWithoutARoute) {
  // The authorizer once let agents GET /api/v1/nodes/NAME/span, which no
  // route served. Off the table, only the admin passes (to the server's 404).
  for (auto [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/nodes/node-a/span"},
                                                        {"POST", "/api/v1/span"},
                                                        {"GET", "/api/v1/agents/node-a/status"},
                                                        {"PUT", "/api/v1/agents/node-a/status"},
                                                        {"POST", "/healthz"},
                                                        {"GET", "/ui/../api/v1/map"},
                                                        {"GET", "/ui/.."},
                                                        {"GET", "/ui/x/../../api/v1/objects"},
                                                        {"GET", "/uix"},
                                                        {"GET", "/api/v1/flows/extra"}}) {
    SCOPED_TRACE(method + " " + path);
    httplib::Request req = Request(method, path, "node-a");
    EXPECT_EQ(For(agent_, req), Verdict::kForbidden);
    EXPECT_EQ(For(anonymous_, req), Verdict::kUnauthorized);
    EXPECT_EQ(For(admin_, req), Verdict::kAllow);
  }
}

TEST_F(RouteTableTest, FirstMatchingRowDecidesAsTheServerRoutes) {
  // GET /api/v1/agents/NAME is the admin's, though POST .../NAME/status is
  // the agent's; HEAD is served by the GET rows.
  EXPECT_EQ(For(agent_, Request("GET", "/api/v1/agents/node-a")), Verdict::kForbidden);
  EXPECT_EQ(For(agent_, Request("POST", "/api/v1/agents/node-a/status")), Verdict::kAllow);
  EXPECT_EQ(For(anonymous_, Request("HEAD", "/healthz")), Verdict::kAllow);
  EXPECT_EQ(For(agent_, Request("HEAD", "/api/v1/objects")), Verdict::kForbidden);
  // The reasons an agent reads.
  EXPECT_EQ(authorizer_.Decide(agent_, Request("GET", "/api/v1/span", "node-b")).message,
            "forbidden: the agent certificate of node \"node-a\" may not GET /api/v1/span: an "
            "agent may read only its own span (node=node-a), not node=\"node-b\"");
  EXPECT_EQ(authorizer_.Decide(bad_token_, Request("GET", "/api/v1/objects")).message,
            "invalid token");
}

}  // namespace
}  // namespace microseg
