// The web UI's routes, in process: the embedded bundle without a token, the
// map and an edge's flows with their deciding policy. The page itself is
// tested in Chromium by web/test/ui.test.mjs (ctest -L ui).
#include "controller/http/ui_handlers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/http/ui_assets.h"
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
kind: Namespace
metadata: {name: ops}
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
apiVersion: v1
kind: Pod
metadata: {namespace: ops, name: debug}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.3.1}
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

std::string Ago(int64_t seconds) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return FormatRfc3339(now - seconds);
}

std::string Record(const std::string& src, const std::string& dst, int port,
                   const std::string& verdict, int flows) {
  return R"({"src":")" + src + R"(","dst":")" + dst + R"(","protocol":"TCP","port":)" +
         std::to_string(port) + R"(,"verdict":")" + verdict + R"(","flows":)" +
         std::to_string(flows) + R"(,"first":")" + Ago(300) + R"(","last":")" + Ago(240) +
         R"("})" + "\n";
}

class UiRoutesTest : public ::testing::Test {
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

  void Populate() {
    ASSERT_TRUE(client_->Apply({{"estate.yaml", kObjects}}).ok());
    Status posted = client_->PostFlows(Record("10.0.1.1", "10.0.2.1", 5432, "allow", 3) +
                                       Record("10.0.1.1", "10.0.2.1", 22, "would-deny", 1) +
                                       Record("10.0.3.1", "10.0.2.1", 5432, "deny", 2) +
                                       Record("203.0.113.7", "10.0.1.1", 443, "allow", 4));
    ASSERT_TRUE(posted.ok()) << posted.message();
  }

  // GET `path`; the decoded reply, with its status in ["_status"].
  Json Get(const std::string& path) {
    auto reply = client_->Send("GET", path);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    if (!reply.ok()) return Json();
    Json body = Json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
    body["_status"] = reply->status;
    return body;
  }

  static std::set<std::string> Ids(const Json& items) {
    std::set<std::string> out;
    for (const Json& i : items) out.insert(i["id"].get<std::string>());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(UiRoutesTest, ServesTheBundleWithoutATokenButNotTheData) {
  ApiClient stranger(controller_->url(), "");
  auto page = stranger.Send("GET", "/ui/");
  ASSERT_TRUE(page.ok()) << page.status().message();
  if (UiAssets().empty()) {  // built with MICROSEG_BUILD_UI=OFF
    EXPECT_EQ(page->status, 404);
    EXPECT_NE(page->body.find("MICROSEG_BUILD_UI=OFF"), std::string::npos) << page->body;
  } else {
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("<div id=\"graph\""), std::string::npos);
    for (const char* name : {"/ui/index.html", "/ui/app.js", "/ui/app.css"}) {
      auto asset = stranger.Send("GET", name);
      ASSERT_TRUE(asset.ok());
      EXPECT_EQ(asset->status, 200) << name;
      EXPECT_FALSE(asset->body.empty()) << name;
    }
  }
  auto missing = stranger.Send("GET", "/ui/secret.json");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  for (const char* path : {"/api/v1/map", "/api/v1/map/flows?from=a&to=b", "/ui/../api/v1/map",
                           "/ui/%2e%2e/api/v1/map", "/uix", "/ui/.."}) {
    auto data = stranger.Send("GET", path);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data->status, 401) << path << ": " << data->body;
  }
}

TEST_F(UiRoutesTest, MapIsGroupedAndFiltered) {
  Populate();
  Json map = Get("/api/v1/map");
  ASSERT_EQ(map["_status"], 200) << map.dump(2);
  std::set<std::string> nodes = Ids(map["nodes"]);
  EXPECT_EQ(nodes, (std::set<std::string>{"shop/app=web", "shop/app=db", "ns:ops", "203.0.113.7"}));
  EXPECT_EQ(Ids(map["edges"]),
            (std::set<std::string>{"shop/app=web->shop/app=db", "ns:ops->shop/app=db",
                                   "203.0.113.7->shop/app=web"}));
  for (const Json& e : map["edges"]) {
    if (e["id"] != "shop/app=web->shop/app=db") continue;
    EXPECT_EQ(e["ports"], Json::array({"TCP/22", "TCP/5432"}));
    EXPECT_EQ(e["flows"], 4);
    EXPECT_EQ(e["verdicts"]["allow"], 3);
    EXPECT_EQ(e["verdicts"]["would-deny"], 1);
  }
  EXPECT_EQ(map["facets"]["namespaces"], Json::array({"ops", "shop"}));
  EXPECT_EQ(map["facets"]["labels"], Json::array({"app=db", "app=web"}));
  EXPECT_EQ(map["records"], 4);

  EXPECT_EQ(Ids(Get("/api/v1/map?group=namespace")["nodes"]),
            (std::set<std::string>{"ns:shop", "ns:ops", "203.0.113.7"}));
  EXPECT_EQ(Ids(Get("/api/v1/map?verdict=deny")["edges"]),
            (std::set<std::string>{"ns:ops->shop/app=db"}));
  EXPECT_EQ(Ids(Get("/api/v1/map?namespace=ops")["edges"]),
            (std::set<std::string>{"ns:ops->shop/app=db"}));
  // Either end matches the label selector.
  EXPECT_EQ(Ids(Get("/api/v1/map?label=" + UrlEncode("app=web"))["edges"]),
            (std::set<std::string>{"shop/app=web->shop/app=db", "203.0.113.7->shop/app=web"}));
  Json none = Get("/api/v1/map?namespace=ops&verdict=allow");
  EXPECT_TRUE(none["nodes"].empty());
  EXPECT_EQ(none["facets"]["namespaces"], Json::array({"ops", "shop"}));  // facets stay

  for (const char* bad : {"/api/v1/map?verdict=drop", "/api/v1/map?since=yesterday",
                          "/api/v1/map?label=" "%3D%3D", "/api/v1/map?namespace=a/b",
                          "/api/v1/map?group=" "%20"}) {
    Json reply = Get(bad);
    EXPECT_EQ(reply["_status"], 400) << bad << ": " << reply.dump();
  }
}

TEST_F(UiRoutesTest, AnEdgesFlowsNameTheirDecidingPolicy) {
  Populate();
  Json reply = Get("/api/v1/map/flows?from=" + UrlEncode("shop/app=web") +
                   "&to=" + UrlEncode("shop/app=db"));
  ASSERT_EQ(reply["_status"], 200) << reply.dump(2);
  ASSERT_EQ(reply["items"].size(), 2u) << reply.dump(2);
  for (const Json& f : reply["items"]) {
    EXPECT_EQ(f["src"]["name"], "shop/web-1");
    EXPECT_EQ(f["dst"]["name"], "shop/db-1");
    const Json& ingress = f["decision"]["ingress"];
    EXPECT_EQ(ingress["direction"], "ingress");
    EXPECT_EQ(ingress["at"], "shop/db-1");
    EXPECT_EQ(ingress["tier"], "application");
    if (f["port"] == 5432) {
      EXPECT_EQ(f["verdict"], "allow");
      EXPECT_EQ(f["decision"]["verdict"], "allow");
      EXPECT_EQ(ingress["allowed"], true);
      EXPECT_EQ(ingress["policy"], "NetworkPolicy shop/db");
      EXPECT_EQ(ingress["rule"], "ingress[0]");
      EXPECT_EQ(f["policies"], Json::array({"NetworkPolicy shop/db ingress[0]"}));
    } else {
      EXPECT_EQ(f["port"], 22);
      EXPECT_EQ(f["verdict"], "would-deny");  // as observed
      EXPECT_EQ(f["decision"]["verdict"], "deny");  // the model today
      EXPECT_EQ(ingress["allowed"], false);
      EXPECT_FALSE(ingress["reason"].get<std::string>().empty());
    }
    EXPECT_EQ(f["decision"]["egress"]["allowed"], true);
  }
  // Filters apply to the edge as to the map.
  Json allowed = Get("/api/v1/map/flows?verdict=allow&from=" + UrlEncode("shop/app=web") +
                     "&to=" + UrlEncode("shop/app=db"));
  ASSERT_EQ(allowed["items"].size(), 1u);
  EXPECT_EQ(allowed["items"][0]["port"], 5432);
  // External ends are named, with a decision (nothing enforces them).
  Json external = Get("/api/v1/map/flows?from=203.0.113.7&to=" + UrlEncode("shop/app=web"));
  ASSERT_EQ(external["items"].size(), 1u);
  EXPECT_EQ(external["items"][0]["decision"]["egress"]["tier"], "unenforced");

  EXPECT_EQ(Get("/api/v1/map/flows?from=x")["_status"], 400);
  EXPECT_TRUE(Get("/api/v1/map/flows?from=x&to=y")["items"].empty());
}

}  // namespace
}  // namespace microseg
