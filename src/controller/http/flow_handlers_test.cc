// The flow routes, in process through ApiClient: agents post records, a
// query enriches them with the stored objects and filters as the CLI does.
#include "controller/http/flow_handlers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "flow/flow_time.h"

namespace microseg {
namespace {

using testing::TempDir;

constexpr char kObjects[] = R"(
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web-1, labels: {app: web}}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: db-1, labels: {app: db}}
spec: {nodeName: n2}
status: {phase: Running, podIP: 10.0.2.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
)";

// RFC 3339, `seconds` ago: the store keeps the last 24 hours.
std::string Ago(int64_t seconds) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return FormatRfc3339(now - seconds);
}

std::string Records() {
  return R"({"src":"10.0.1.1","dst":"10.0.2.1","protocol":"TCP","port":5432,"verdict":"allow","packets":10,"bytes":900,"flows":3,"first":")" +
         Ago(600) + R"(","last":")" + Ago(595) + R"(","node":"n2"}
{"src":"10.0.1.1","dst":"10.0.2.1","protocol":"TCP","port":22,"verdict":"would-deny","packets":1,"bytes":60,"first":")" +
         Ago(540) + R"(","node":"n2"}
{"src":"203.0.113.7","dst":"10.0.1.1","protocol":"UDP","port":53,"verdict":"deny","packets":1,"bytes":80,"first":")" +
         Ago(120) + R"(","node":"n1"}
{"src":"203.0.113.7","dst":"10.0.1.1","protocol":"UDP","port":53,"verdict":"deny","first":")" +
         Ago(3 * 86400) + R"(","node":"n1"}
)";
}

class FlowRoutesTest : public ::testing::Test {
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

  TempDir dir_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(FlowRoutesTest, PostedRecordsAreEnrichedAndFiltered) {
  ASSERT_TRUE(client_->Apply({{"estate.yaml", kObjects}}).ok());
  Status posted = client_->PostFlows(Records());
  ASSERT_TRUE(posted.ok()) << posted.message();

  auto all = client_->QueryFlows("");
  ASSERT_TRUE(all.ok()) << all.status().message();
  // The fourth record is past the 24-hour retention.
  ASSERT_EQ((*all)["items"].size(), 3u) << all->dump(2);
  EXPECT_EQ((*all)["records"], 3);
  EXPECT_EQ((*all)["totals"]["flows"], 5);  // the first record stands for 3

  auto allowed = client_->QueryFlows("verdict=allow&from=" + UrlEncode("app=web"));
  ASSERT_TRUE(allowed.ok()) << allowed.status().message();
  ASSERT_EQ((*allowed)["items"].size(), 1u);
  const Json& f = (*allowed)["items"][0];
  EXPECT_EQ(f["src"]["name"], "shop/web-1");
  EXPECT_EQ(f["dst"]["name"], "shop/db-1");
  EXPECT_EQ(f["dst"]["namespace"], "shop");
  EXPECT_EQ(f["flows"], 3);
  EXPECT_EQ(f["model"], "allow");

  auto would = client_->QueryFlows("verdict=would-deny&to=shop/db-1");
  ASSERT_TRUE(would.ok());
  ASSERT_EQ((*would)["items"].size(), 1u);
  EXPECT_EQ((*would)["items"][0]["port"], 22);
  EXPECT_EQ((*would)["items"][0]["model"], "deny");

  auto recent = client_->QueryFlows("since=5m");
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ((*recent)["items"].size(), 1u);
  EXPECT_EQ((*recent)["items"][0]["verdict"], "deny");
}

TEST_F(FlowRoutesTest, AcceptsAJsonArray) {
  Status posted = client_->PostFlows(
      R"([{"src":"10.0.1.1","dst":"10.0.2.1","port":80,"verdict":"allow","first":")" + Ago(1) + R"("}])");
  ASSERT_TRUE(posted.ok()) << posted.message();
  auto all = client_->QueryFlows("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ((*all)["items"].size(), 1u);
  // Without objects every address is external.
  EXPECT_EQ((*all)["items"][0]["src"]["kind"], "External");
}

TEST_F(FlowRoutesTest, BadBatchesAndQueriesAreRejectedWhole) {
  Status bad = client_->PostFlows(Records() + R"({"src":"10.0.1.1"})" "\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("flows body:5: field \"dst\""), std::string::npos) << bad.message();
  auto all = client_->QueryFlows("");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE((*all)["items"].empty()) << "a rejected batch stored records";

  auto query = client_->QueryFlows("verdict=drop");
  ASSERT_FALSE(query.ok());
  EXPECT_NE(query.status().message().find("verdict"), std::string::npos);
  query = client_->QueryFlows("since=yesterday");
  EXPECT_FALSE(query.ok());

  ApiClient stranger(controller_->url(), "wrong-token");
  EXPECT_FALSE(stranger.PostFlows(Records()).ok());
}

// A connection reported when it starts and again, with its counters, when
// it ends (two batches of an agent): one connection, counted once, promptly.
TEST_F(FlowRoutesTest, AStartAndItsEndAreOneConnection) {
  ASSERT_TRUE(client_->Apply({{"estate.yaml", kObjects}}).ok());
  const std::string start = Ago(130);
  ASSERT_TRUE(client_->PostFlows(R"({"src":"10.0.1.1","dst":"10.0.2.1","port":5432,"verdict":"allow","first":")" +
                                 start + R"(","node":"n2"})" "\n").ok());
  auto early = client_->QueryFlows("");
  ASSERT_TRUE(early.ok());
  ASSERT_EQ((*early)["items"].size(), 1u);
  EXPECT_EQ((*early)["items"][0]["flows"], 1);
  EXPECT_EQ((*early)["items"][0]["bytes"], 0);
  ASSERT_TRUE(client_->PostFlows(R"({"src":"10.0.1.1","dst":"10.0.2.1","port":5432,"verdict":"allow","flows":0,"packets":12,"bytes":3400,"first":")" +
                                 start + R"(","last":")" + Ago(5) + R"(","node":"n2"})" "\n").ok());
  auto later = client_->QueryFlows("");
  ASSERT_TRUE(later.ok());
  ASSERT_EQ((*later)["items"].size(), 1u) << later->dump(2);
  const Json& f = (*later)["items"][0];
  EXPECT_EQ(f["flows"], 1);
  EXPECT_EQ(f["packets"], 12);
  EXPECT_EQ(f["bytes"], 3400);
  EXPECT_EQ(f["first"], start);
  EXPECT_EQ((*later)["totals"]["flows"], 1);
}

// Flows are kept in DATA_DIR/flows.db: a restarted controller answers with
// them, within its retention.
TEST(FlowPersistenceTest, ARestartedControllerKeepsItsFlowsWithinRetention) {
  TempDir dir;
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  options.flow_max_records = 3;
  auto query = [](Controller& c) {
    auto all = ApiClient(c.url(), c.token()).QueryFlows("");
    EXPECT_TRUE(all.ok()) << all.status().message();
    return all.ok() ? *all : Json();
  };
  {
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    ApiClient client((*started)->url(), (*started)->token());
    ASSERT_TRUE(client.Apply({{"estate.yaml", kObjects}}).ok());
    auto record = [](int port, int64_t ago) {
      return R"({"src":"10.0.1.1","dst":"10.0.2.1","port":)" + std::to_string(port) +
             R"(,"verdict":"allow","first":")" + Ago(ago) + R"("})" "\n";
    };
    ASSERT_TRUE(client.PostFlows(record(8079, 600) + record(8080, 300)).ok());
    // The newest 3 of 4 are kept.
    ASSERT_TRUE(client.PostFlows(record(8081, 60) + record(8082, 30)).ok());
    EXPECT_EQ(query(**started)["records"], 3);
    (*started)->Stop();
  }
  ASSERT_TRUE(std::filesystem::exists(dir.path() + "/flows.db"));
  {
    auto restarted = Controller::Start(options);
    ASSERT_TRUE(restarted.ok()) << restarted.status().message();
    Json all = query(**restarted);
    EXPECT_EQ(all["records"], 3) << all.dump(2);
    std::set<int> ports;
    for (const Json& item : all["items"]) ports.insert(item["port"].get<int>());
    EXPECT_EQ(ports, (std::set<int>{8080, 8081, 8082})) << all.dump(2);
    // Named with the restarted controller's objects.
    for (const Json& item : all["items"]) {
      if (item["port"] == 8080) {
        EXPECT_EQ(item["src"]["name"], "shop/web-1");
      }
    }
    (*restarted)->Stop();
  }
  // Restarted with a shorter retention: the older records are gone.
  options.flow_max_age_seconds = 90;
  auto shorter = Controller::Start(options);
  ASSERT_TRUE(shorter.ok()) << shorter.status().message();
  Json all = query(**shorter);
  EXPECT_EQ(all["records"], 2) << all.dump(2);
}

}  // namespace
}  // namespace microseg
