// The agent routes (span, status reports), in process through ApiClient.
// The agent side, end to end, is src/agent/controller_source_test.cc.
#include "controller/http/agent_handlers.h"

#include <gtest/gtest.h>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::TempDir;

class AgentRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    client_ = std::make_unique<ApiClient>(controller_->url(), controller_->token());
  }

  ApiReply Raw(const std::string& method, const std::string& path, const std::string& body = "") {
    auto reply = client_->Send(method, path, body);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    return reply.ok() ? *reply : ApiReply{};
  }

  static std::string ErrorOf(const ApiReply& reply) {
    Json body = Json::parse(reply.body, nullptr, false);
    return body.is_object() ? body.value("error", std::string("<no error field>")) : reply.body;
  }

  TempDir dir_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(AgentRoutesTest, ReportsAreListedByName) {
  auto none = client_->ListAgents();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE((*none)["items"].empty());

  ASSERT_TRUE(client_
                  ->ReportAgentStatus("node-b", {{"resourceVersion", "7"},
                                                 {"planElements", 12},
                                                 {"lastError", ""},
                                                 {"syncs", 3},
                                                 {"failures", 0}})
                  .ok());
  ASSERT_TRUE(client_
                  ->ReportAgentStatus("node-a", {{"resourceVersion", "5"},
                                                 {"lastError", "cannot reach the controller"},
                                                 {"failures", 2}})
                  .ok());
  auto agents = client_->ListAgents();
  ASSERT_TRUE(agents.ok());
  const Json& items = (*agents)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["name"], "node-a");
  EXPECT_EQ(items[0]["resourceVersion"], "5");
  EXPECT_EQ(items[0]["lastError"], "cannot reach the controller");
  EXPECT_EQ(items[0]["failures"], 2);
  EXPECT_EQ(items[0]["planElements"], 0);
  EXPECT_EQ(items[1]["name"], "node-b");
  EXPECT_EQ(items[1]["planElements"], 12);
  EXPECT_TRUE(items[1]["lastReportTime"].is_string());

  // A later report replaces the earlier one.
  ASSERT_TRUE(client_->ReportAgentStatus("node-a", {{"resourceVersion", 9}}).ok());
  ApiReply one = Raw("GET", "/api/v1/agents/node-a");
  ASSERT_EQ(one.status, 200) << one.body;
  Json a = Json::parse(one.body);
  EXPECT_EQ(a["resourceVersion"], "9");
  EXPECT_EQ(a["lastError"], "");
}

TEST_F(AgentRoutesTest, MalformedRequestsGet4xx) {
  struct Case {
    const char* description;
    std::string method, path, body;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"not JSON", "POST", "/api/v1/agents/n1/status", "{", 400,
       "status body: expected a JSON object"},
      {"negative count", "POST", "/api/v1/agents/n1/status", R"({"syncs": -1})", 400,
       "status body: syncs: expected a non-negative integer"},
      {"revision not a number", "POST", "/api/v1/agents/n1/status", R"({"resourceVersion": "12a"})",
       400, "status body: resourceVersion: expected a non-negative integer"},
      {"error not a string", "POST", "/api/v1/agents/n1/status", R"({"lastError": 1})", 400,
       "status body: lastError: expected a string"},
      // 66,000 levels in 130 KB once overflowed the controller's stack.
      {"nested too deep", "POST", "/api/v1/agents/n1/status",
       std::string(66000, '[') + std::string(66000, ']'), 400,
       "status body: expected a JSON object"},
      {"bad name", "POST", "/api/v1/agents/N_1/status", "{}", 400, "invalid node name \"N_1\""},
      {"unknown agent", "GET", "/api/v1/agents/ghost", "", 404, "agent \"ghost\" has not reported"},
      {"span without a node", "GET", "/api/v1/span", "", 400, "node: parameter required"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    ApiReply reply = Raw(c.method, c.path, c.body);
    EXPECT_EQ(reply.status, c.status) << reply.body;
    EXPECT_EQ(ErrorOf(reply), c.error);
  }
  auto agents = client_->ListAgents();
  ASSERT_TRUE(agents.ok());
  EXPECT_TRUE((*agents)["items"].empty());
}

TEST_F(AgentRoutesTest, AgentRoutesNeedTheToken) {
  ApiClient anonymous(controller_->url(), "");
  for (const char* path : {"/api/v1/agents", "/api/v1/span?node=n1"}) {
    auto reply = anonymous.Send("GET", path);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 401) << path;
  }
  EXPECT_FALSE(anonymous.ReportAgentStatus("n1", Json::object()).ok());
}

}  // namespace
}  // namespace microseg
