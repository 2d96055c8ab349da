// The API end to end, in process: a Controller on 127.0.0.1:0 over a
// SQLite store in a temp dir, driven through ApiClient.
#include "controller/http/controller.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "controller/api/api_kinds.h"
#include "controller/client/api_client.h"
#include "controller/testing/temp_dir.h"
#include "ingest/manifest_loader.h"

namespace microseg {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

std::string ReadTestdata(const std::string& name) {
  const char* root = std::getenv("MICROSEG_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/src/controller/testdata/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr char kPod[] = R"(apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web, labels: {app: web}}
status: {podIP: 10.0.0.1}
)";

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(ControllerOptions options = {}) {
    controller_.reset();
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    client_ = std::make_unique<ApiClient>(controller_->url(), controller_->token());
  }

  // The current revision, as a list reports it.
  std::string Revision() {
    auto list = client_->List("", std::nullopt);
    EXPECT_TRUE(list.ok()) << list.status().message();
    return list.ok() ? (*list)["metadata"]["resourceVersion"].get<std::string>() : "";
  }

  ApiReply Raw(const std::string& method, const std::string& path, const std::string& body = "",
               const std::string& content_type = "application/json") {
    auto reply = client_->Send(method, path, body, content_type);
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

TEST_F(ControllerTest, FirstStartWritesAPrivateAdminToken) {
  struct stat st;
  ASSERT_EQ(stat((dir_.path() + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(controller_->token().size(), 64u);
  std::string first = controller_->token();
  Start();  // the same directory keeps its token
  EXPECT_EQ(controller_->token(), first);
}

TEST_F(ControllerTest, RequestsWithoutTheTokenGet401) {
  ApiClient anonymous(controller_->url(), "");
  auto reply = anonymous.Send("GET", "/api/v1/objects");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 401);
  EXPECT_EQ(ErrorOf(*reply),
            "missing Authorization: Bearer token (or an agent's client certificate)");
  ApiClient wrong(controller_->url(), std::string(64, 'a'));
  auto applied = wrong.Apply({{"pod.yaml", kPod}});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().message(), "invalid token");
  auto none = client_->List("Pod", std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)["items"].empty());
  // Health needs no token.
  auto health = anonymous.Send("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

TEST_F(ControllerTest, EveryKindRoundTripsThroughApplyGetListAndDelete) {
  const std::string text = ReadTestdata("every_kind.yaml");
  ASSERT_FALSE(text.empty());
  auto applied = client_->Apply({{"every_kind.yaml", text}});
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  ASSERT_EQ((*applied)["objects"].size(), ApiKinds().size());
  for (const Json& o : (*applied)["objects"]) EXPECT_EQ(o["result"], "created") << o.dump();
  const std::string revision = (*applied)["resourceVersion"];

  for (const ApiKind& kind : ApiKinds()) {
    SCOPED_TRACE(std::string(kind.kind));
    auto list = client_->List(std::string(kind.aliases[0]), std::nullopt);
    ASSERT_TRUE(list.ok()) << list.status().message();
    ASSERT_EQ((*list)["items"].size(), 1u);
    const Json& item = (*list)["items"][0];
    EXPECT_EQ(item["kind"], kind.kind);
    EXPECT_EQ(item["apiVersion"], kind.api_version);
    EXPECT_EQ(item["metadata"]["resourceVersion"], revision);
    const std::string name = item["metadata"]["name"];
    std::optional<std::string> ns;
    if (kind.namespaced) ns = "shop";
    auto got = client_->Get(std::string(kind.kind), name, ns);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, item);
  }

  // What the store holds loads offline exactly like the file did.
  auto all = client_->List("", std::nullopt);
  ASSERT_TRUE(all.ok());
  auto reloaded = ParseManifests(all->dump(), "server");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  auto original = ParseManifests(text, "every_kind.yaml");
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(reloaded->objects.size(), original->objects.size());

  for (const ApiKind& kind : ApiKinds()) {
    SCOPED_TRACE(std::string(kind.kind));
    auto list = client_->List(std::string(kind.kind), std::nullopt);
    ASSERT_TRUE(list.ok());
    const Json& item = (*list)["items"][0];
    std::optional<std::string> ns;
    if (kind.namespaced) ns = "shop";
    auto deleted = client_->Delete(std::string(kind.kind), item["metadata"]["name"], ns);
    ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  }
  auto empty = client_->List("", std::nullopt);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)["items"].empty());
}

TEST_F(ControllerTest, ReapplyingIsUnchangedAndKeepsTheRevision) {
  auto first = client_->Apply({{"pod.yaml", kPod}});
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = client_->Apply({{"pod.yaml", kPod}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)["objects"][0]["result"], "unchanged");
  EXPECT_EQ((*second)["resourceVersion"], (*first)["resourceVersion"]);
  std::string changed = kPod;
  changed.replace(changed.find("app: web"), 8, "app: api");
  auto third = client_->Apply({{"pod.yaml", changed}});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ((*third)["objects"][0]["result"], "configured");
  // A resourceVersion in the input (from `get -o yaml`) is the server's: ignored.
  auto got = client_->Get("pod", "web", "shop");
  ASSERT_TRUE(got.ok());
  auto again = client_->Apply({{"got.json", got->dump()}});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)["objects"][0]["result"], "unchanged");
}

TEST_F(ControllerTest, ValidationErrorsAreOfflineIngestsMessagesVerbatim) {
  const std::string bad = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: web}
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 0
)";
  auto offline = ParseManifests(bad, "web.yaml");
  ASSERT_FALSE(offline.ok());
  auto applied = client_->Apply({{"web.yaml", bad}});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().message(), offline.status().message());
  EXPECT_EQ(applied.status().message(),
            "web.yaml: document 1: NetworkPolicy shop/web: spec.ingress[0].ports[0].port: "
            "must be between 1 and 65535, got 0");
  // A raw body is named by ?source=.
  ApiReply raw = Raw("POST", "/api/v1/apply?source=x.yaml", bad, "application/yaml");
  EXPECT_EQ(raw.status, 400);
  EXPECT_EQ(ErrorOf(raw).rfind("x.yaml: document 1: NetworkPolicy shop/web: ", 0), 0u);
}

TEST_F(ControllerTest, AnApplyIsAllOrNothing) {
  ASSERT_TRUE(client_->Apply({{"pod.yaml", kPod}}).ok());
  const std::string before = Revision();
  std::string good = R"(apiVersion: v1
kind: Namespace
metadata: {name: other}
)";
  std::string bad = R"(apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: Bad_Name}
)";
  auto applied = client_->Apply({{"good.yaml", good}, {"bad.yaml", bad}});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().message().rfind("bad.yaml: document 1: Pod shop/Bad_Name: ", 0), 0u)
      << applied.status().message();
  EXPECT_EQ(Revision(), before);
  auto other = client_->Get("ns", "other", std::nullopt);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(), "Namespace other not found");
}

TEST_F(ControllerTest, HostileRequestsGet4xxAndChangeNothing) {
  ASSERT_TRUE(client_->Apply({{"pod.yaml", kPod}}).ok());
  const std::string before = Revision();
  struct Case {
    const char* description;
    std::string method, path, body, content_type;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "POST", "/api/v1/apply", "{\"kind\": ", "application/json", 400,
       "request: document 1: invalid JSON: line 1, column 10: syntax error while parsing value - "
       "unexpected end of input; expected '[', '{', or a literal"},
      {"malformed envelope", "POST", "/api/v1/apply", "[1]", kManifestsContentType, 400,
       "request body: expected a JSON object"},
      {"envelope text not a string", "POST", "/api/v1/apply", R"({"manifests":[{"text":1}]})",
       kManifestsContentType, 400, "request body: manifests[0].text: expected a string"},
      {"unknown kind", "POST", "/api/v1/apply",
       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", "application/yaml", 400,
       "request: document 1: unsupported kind \"Deployment\" (supported: " + KindList() + ")"},
      {"empty body", "POST", "/api/v1/apply", "", "application/yaml", 400, "no objects to apply"},
      {"unknown kind in path", "GET", "/api/v1/objects/deployments", "", "", 404,
       "unknown kind \"deployments\" (supported: " + KindList() + ")"},
      {"bad name in path", "DELETE", "/api/v1/objects/pod/Bad_Name", "", "", 400,
       "invalid name \"Bad_Name\""},
      {"path traversal", "DELETE", "/api/v1/objects/pod/..%2F..", "", "", 404, "no such route"},
      {"bad namespace", "GET", "/api/v1/objects/pod?namespace=A%20B", "", "", 400,
       "invalid namespace \"A B\""},
      {"delete of a missing object", "DELETE", "/api/v1/objects/pod/ghost?namespace=shop", "", "",
       404, "Pod shop/ghost not found"},
      {"bad resourceVersion", "GET", "/api/v1/watch?resourceVersion=-1", "", "", 400,
       "resourceVersion: expected a non-negative integer, got \"-1\""},
      {"no such route", "GET", "/api/v2/everything", "", "", 404, "no such route"},
      {"delete -f naming a missing object", "POST", "/api/v1/delete",
       std::string(kPod) +
           "---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: ghost}\n",
       "application/yaml", 404, "Pod shop/ghost not found; nothing was deleted"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    ApiReply reply = Raw(c.method, c.path, c.body, c.content_type);
    EXPECT_EQ(reply.status, c.status) << reply.body;
    EXPECT_EQ(ErrorOf(reply), c.error);
  }
  EXPECT_EQ(Revision(), before);
  EXPECT_TRUE(client_->Get("pod", "web", "shop").ok());  // delete -f left it
}

TEST_F(ControllerTest, ABodyOverTheLimitGets413) {
  ControllerOptions options;
  options.max_body_bytes = 4096;
  Start(options);
  std::string huge = std::string(kPod) + "# " + std::string(8192, 'x') + "\n";
  ApiReply reply = Raw("POST", "/api/v1/apply", huge, "application/yaml");
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(ErrorOf(reply), "request body too large");
  EXPECT_FALSE(client_->Get("pod", "web", "shop").ok());
}

// Reads events from a watch on a thread until `count` arrived.
class WatchReader {
 public:
  WatchReader(const ApiClient& client, std::string query, size_t count) {
    thread_ = std::thread([this, &client, query, count] {
      status_ = client.Watch(query, [this, count](const Json& event) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(event);
        return events_.size() < count;
      });
    });
  }
  ~WatchReader() {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Json> Wait() {
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  const Status& status() const { return status_; }

 private:
  std::mutex mu_;
  std::vector<Json> events_;
  Status status_;
  std::thread thread_;
};

TEST_F(ControllerTest, WatchStreamsChangesFromAResourceVersion) {
  const std::string start = Revision();
  WatchReader reader(*client_, "resourceVersion=" + start + "&kind=pod", 3);
  ASSERT_TRUE(client_->Apply({{"pod.yaml", kPod}}).ok());
  ASSERT_TRUE(
      client_->Apply({{"ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"}})
          .ok());
  std::string changed = kPod;
  changed.replace(changed.find("10.0.0.1"), 8, "10.0.0.2");
  ASSERT_TRUE(client_->Apply({{"pod.yaml", changed}}).ok());
  auto deleted = client_->Delete("pod", "web", "shop");
  ASSERT_TRUE(deleted.ok());
  std::vector<Json> events = reader.Wait();
  ASSERT_TRUE(reader.status().ok()) << reader.status().message();
  ASSERT_EQ(events.size(), 3u);  // the Namespace is filtered out
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "MODIFIED");
  EXPECT_EQ(events[1]["object"]["status"]["podIP"], "10.0.0.2");
  EXPECT_EQ(events[2]["type"], "DELETED");
  EXPECT_EQ(events[2]["object"]["metadata"]["name"], "web");
  EXPECT_EQ(events[2]["object"]["metadata"]["resourceVersion"], (*deleted)["resourceVersion"]);
}

TEST_F(ControllerTest, WatchWithoutAResourceVersionStartsWithTheCurrentObjects) {
  ASSERT_TRUE(client_->Apply({{"pod.yaml", kPod}}).ok());
  WatchReader reader(*client_, "", 2);
  std::this_thread::sleep_for(50ms);  // not required: ordering holds either way
  ASSERT_TRUE(
      client_->Apply({{"ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"}})
          .ok());
  std::vector<Json> events = reader.Wait();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["kind"], "Pod");
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[1]["object"]["kind"], "Namespace");
}

TEST_F(ControllerTest, WatchFromACompactedResourceVersionGets410) {
  ControllerOptions options;
  options.event_retention = 1;
  Start(options);
  ASSERT_TRUE(client_->Apply({{"pod.yaml", kPod}}).ok());
  ASSERT_TRUE(
      client_->Apply({{"ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"}}).ok());
  ASSERT_TRUE(
      client_->Apply({{"ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"}}).ok());
  ApiReply reply = Raw("GET", "/api/v1/watch?resourceVersion=0");
  EXPECT_EQ(reply.status, 410);
  EXPECT_EQ(ErrorOf(reply),
            "resourceVersion 0 is too old: history before 3 was compacted; list again and watch "
            "from the list's resourceVersion");
  Status watched = client_->Watch("resourceVersion=1", [](const Json&) { return false; });
  EXPECT_FALSE(watched.ok());
}

TEST_F(ControllerTest, StopEndsOpenWatchesPromptly) {
  WatchReader reader(*client_, "resourceVersion=0", 100);
  std::this_thread::sleep_for(100ms);  // let the watch start
  auto begin = std::chrono::steady_clock::now();
  controller_->Stop();
  reader.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress("[::1]:7443", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 7443);
  EXPECT_EQ(ParseListenAddress("7443", &host, &port).message(),
            "--listen 7443: expected HOST:PORT");
  EXPECT_EQ(ParseListenAddress("h:x", &host, &port).message(), "--listen h:x: invalid port");
}

TEST(DataDirTest, TwoControllersCannotShareADirectory) {
  TempDir dir;
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  auto first = Controller::Start(options);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = Controller::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            dir.path() + ": another controller is using this data directory");
}

}  // namespace
}  // namespace microseg
