// An Agent fed by a ControllerSource, against an in-process Controller on
// 127.0.0.1 over a SQLite store in a temp dir, with the fake nft executor.
// Waits are bounded polls for an outcome, never assertions about speed.
#include "agent/controller_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <thread>

#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "dataplane/nft/fake_executor.h"

namespace microseg {
namespace {

using namespace std::chrono_literals;

constexpr char kCluster[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web, labels: {app: web}}
spec: {nodeName: node-a}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: api, labels: {app: api}}
spec: {nodeName: node-b}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {namespace: other, name: batch, labels: {app: batch}}
spec: {nodeName: node-b}
status: {podIP: 10.0.1.7}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: web-from-api}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: other, name: batch-isolated}
spec:
  podSelector: {matchLabels: {app: batch}}
  ingress: []
)";

// The api pod (node-b, a peer of node-a's web) at another IP.
std::string ApiPodAt(const std::string& ip) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: api, labels: {app: api}}\n"
         "spec: {nodeName: node-b}\nstatus: {podIP: " +
         ip + "}\n";
}

// The fake executor, safe to read while the agent's thread writes.
class LockedExecutor : public nft::NftExecutor {
 public:
  Status Run(const std::string& script) override {
    std::lock_guard<std::mutex> lock(mu_);
    return fake_.Run(script);
  }
  Result<std::optional<std::string>> ListTableJson() override {
    std::lock_guard<std::mutex> lock(mu_);
    return fake_.ListTableJson();
  }
  std::vector<std::string> Scripts() {
    std::lock_guard<std::mutex> lock(mu_);
    return fake_.scripts;
  }
  std::string LastScript() {
    std::vector<std::string> scripts = Scripts();
    return scripts.empty() ? "" : scripts.back();
  }

 private:
  std::mutex mu_;
  nft::FakeNftExecutor fake_;
};

// Polls `done` until it holds or 20 s pass (a bound for slow CI machines,
// not an expectation of speed).
bool WaitFor(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// An Agent on its own thread, reporting through its source.
struct RunningAgent {
  RunningAgent(const ControllerSourceOptions& options, nft::NftExecutor* executor)
      : source(options), agent(AgentOptionsFor(options.node), source.policy_source(), executor) {
    agent.set_on_sync(
        [this](const Status& s, const Agent::Snapshot& snap) { source.Report(s, snap); });
    source.Start();
    thread = std::thread([this] { agent.Run(); });
  }
  ~RunningAgent() {
    agent.Stop();
    thread.join();
    source.Stop();
  }
  static AgentOptions AgentOptionsFor(const std::string& node) {
    AgentOptions options;
    options.node = node;
    options.poll_interval = 20ms;
    options.resync_interval = 1h;  // no kernel read-backs in these tests
    return options;
  }

  ControllerSource source;
  Agent agent;
  std::thread thread;
};

class AgentControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartController(); }

  void StartController(ControllerOptions options = {}) {
    controller_.reset();
    options.listen = "127.0.0.1:" + std::to_string(port_);  // 0 the first time
    options.data_dir = dir_.path();
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    port_ = controller_->port();
    client_ = std::make_unique<ApiClient>(controller_->url(), controller_->token());
  }

  int64_t Apply(const std::string& text) {
    auto applied = client_->Apply({{"test.yaml", text}});
    EXPECT_TRUE(applied.ok()) << applied.status().message();
    return applied.ok() ? std::stoll((*applied)["resourceVersion"].get<std::string>()) : -1;
  }

  ControllerSourceOptions SourceOptions(const std::string& node) {
    ControllerSourceOptions options;
    options.server = controller_->url();
    options.token = controller_->token();
    options.node = node;
    options.min_backoff = 20ms;
    options.max_backoff = 200ms;
    return options;
  }

  // node's entry in GET /api/v1/agents, or null.
  Json AgentEntry(const std::string& node) {
    auto agents = client_->ListAgents();
    if (!agents.ok()) return nullptr;
    for (const Json& item : (*agents)["items"]) {
      if (item["name"] == node) return item;
    }
    return nullptr;
  }

  testing::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
};

std::set<std::string> KeysOf(const Json& list) {
  std::set<std::string> keys;
  for (const Json& item : list["items"]) {
    std::string ns = item["metadata"].value("namespace", "");
    keys.insert(item["kind"].get<std::string>() + " " + (ns.empty() ? "" : ns + "/") +
                item["metadata"]["name"].get<std::string>());
  }
  return keys;
}

TEST_F(AgentControllerTest, TheSpanOfANodeLeavesOutOtherNodesUnrelatedObjects) {
  const int64_t revision = Apply(kCluster);
  auto span = client_->Span("node-a");
  ASSERT_TRUE(span.ok()) << span.status().message();
  EXPECT_EQ((*span)["metadata"]["resourceVersion"], std::to_string(revision));
  // web is local; api is the peer its policy names, although it runs on node-b.
  EXPECT_EQ(KeysOf(*span), (std::set<std::string>{"Namespace shop", "Pod shop/web", "Pod shop/api",
                                                  "NetworkPolicy shop/web-from-api"}));
  auto b = client_->Span("node-b");
  ASSERT_TRUE(b.ok());
  std::set<std::string> b_keys = KeysOf(*b);
  EXPECT_TRUE(b_keys.count("Pod other/batch"));
  EXPECT_TRUE(b_keys.count("NetworkPolicy other/batch-isolated"));
  EXPECT_FALSE(b_keys.count("Pod shop/web"));
  EXPECT_FALSE(b_keys.count("NetworkPolicy shop/web-from-api"));

  auto nobody = client_->Span("node-z");
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE((*nobody)["items"].empty());
  auto bad = client_->Span("Not_A_Node");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "invalid node name \"Not_A_Node\"");
}

TEST_F(AgentControllerTest, TheAgentFollowsTheControllerThroughARestart) {
  const int64_t first = Apply(kCluster);
  LockedExecutor executor;
  RunningAgent a(SourceOptions("node-a"), &executor);

  // The first sync enforces the span.
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == first; }));
  EXPECT_NE(executor.LastScript().find("10.0.1.2 : 0x"), std::string::npos)
      << executor.LastScript();

  // A change through the API reaches the kernel, as a delta.
  const int64_t second = Apply(ApiPodAt("10.0.1.3"));
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == second; }));
  EXPECT_NE(executor.LastScript().find("10.0.1.3 : 0x"), std::string::npos)
      << executor.LastScript();
  EXPECT_EQ(a.agent.snapshot().last_apply.kind, nft::NftDataplane::Stats::Kind::kDelta);

  // Its status is visible through the controller.
  ASSERT_TRUE(WaitFor([&] {
    Json entry = AgentEntry("node-a");
    return entry.is_object() && entry["resourceVersion"] == std::to_string(second);
  }));
  Json entry = AgentEntry("node-a");
  EXPECT_EQ(entry["lastError"], "");
  EXPECT_GT(entry["planElements"].get<int64_t>(), 0);

  // Controller gone: the agent notices, applies nothing, keeps its plan.
  const size_t scripts = executor.Scripts().size();
  const size_t plan_elements = a.agent.snapshot().plan_elements;
  controller_->Stop();
  controller_.reset();
  ASSERT_TRUE(WaitFor([&] { return a.agent.snapshot().failures > 0; }));
  Agent::Snapshot down = a.agent.snapshot();
  EXPECT_NE(down.last_error, "");
  EXPECT_EQ(down.plan_elements, plan_elements);
  EXPECT_EQ(executor.Scripts().size(), scripts) << "nothing applied while unreachable";
  EXPECT_FALSE(a.source.state().watching);

  // Restarted on the same data dir (and port): the agent resumes and
  // applies a change made after the restart.
  StartController();
  const int64_t third = Apply(ApiPodAt("10.0.1.4"));
  EXPECT_GT(third, second) << "the revision survives the restart";
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == third; }));
  EXPECT_NE(executor.LastScript().find("10.0.1.4 : 0x"), std::string::npos)
      << executor.LastScript();
  EXPECT_EQ(a.agent.snapshot().last_error, "");
  EXPECT_EQ(a.source.state().relists, 0u) << "the watch resumed; history was not compacted";

  // The restarted controller learns the status again, failures included.
  ASSERT_TRUE(WaitFor([&] {
    Json e = AgentEntry("node-a");
    return e.is_object() && e["resourceVersion"] == std::to_string(third);
  }));
  EXPECT_GT(AgentEntry("node-a")["failures"].get<int64_t>(), 0);
}

TEST_F(AgentControllerTest, ChangesOutsideTheSpanApplyNothing) {
  Apply(kCluster);
  LockedExecutor executor;
  RunningAgent a(SourceOptions("node-a"), &executor);
  ASSERT_TRUE(WaitFor([&] { return a.agent.snapshot().syncs >= 1; }));
  const size_t scripts = executor.Scripts().size();
  // The batch pod on node-b is nobody's peer on node-a.
  const int64_t revision = Apply(
      "apiVersion: v1\nkind: Pod\nmetadata: {namespace: other, name: batch, labels: {app: "
      "batch}}\nspec: {nodeName: node-b}\nstatus: {podIP: 10.0.1.8}\n");
  // The stream's bookmark says the span is current at that revision.
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == revision; }));
  EXPECT_EQ(executor.Scripts().size(), scripts);
  EXPECT_EQ(a.agent.snapshot().delta_syncs, 0u) << "nothing was shipped";
}

TEST_F(AgentControllerTest, AnAgentWithIpsRegistersItsHostAsAWorkload) {
  Apply(R"(apiVersion: microseg.io/v1alpha1
kind: Ruleset
metadata: {name: db}
spec:
  scope:
    selector: {matchLabels: {role: db}}
  ingress:
  - name: from-web
    action: Allow
    peers: [{selector: {matchLabels: {app: web}}}]
    ports: [{protocol: TCP, port: 5432}]
)");
  ControllerSourceOptions options = SourceOptions("db-1");
  options.ips = {"192.168.5.5"};
  options.labels = {{"role", "db"}};
  ControllerSource source(options);
  auto loaded = source.policy_source().load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(source.state().registered);
  auto workload = client_->Get("workload", "db-1", std::nullopt);
  ASSERT_TRUE(workload.ok()) << workload.status().message();
  EXPECT_EQ((*workload)["spec"]["host"], "db-1");
  EXPECT_EQ((*workload)["spec"]["ips"], Json::array({"192.168.5.5"}));
  EXPECT_EQ((*workload)["metadata"]["labels"]["role"], "db");
  // The host is a local endpoint of its own span, with the Ruleset scoping it.
  ASSERT_EQ(loaded->workloads.size(), 1u);
  EXPECT_EQ(loaded->workloads[0].name, "db-1");
  ASSERT_EQ(loaded->rulesets.size(), 1u);

  // Invalid registration data fails the load with ingest's message.
  ControllerSourceOptions bad = SourceOptions("db-2");
  bad.ips = {"not-an-ip"};
  ControllerSource bad_source(bad);
  auto failed = bad_source.policy_source().load();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message().rfind("registering host db-2: agent registration: ", 0), 0u)
      << failed.status().message();
}

TEST_F(AgentControllerTest, ACompactedResourceVersionRefetchesTheSpan) {
  Apply(kCluster);
  ControllerSource source(SourceOptions("node-a"));
  PolicySource policy = source.policy_source();
  ASSERT_TRUE(policy.load().ok());
  const int64_t loaded = source.state().loaded_revision;
  EXPECT_EQ(source.state().watch_from, loaded);
  EXPECT_TRUE(policy.changed());  // the first call always is
  // A restarted controller has no span history of its own, and the store's
  // history after `loaded` is pruned before the watch starts.
  ControllerOptions options;
  options.event_retention = 1;
  StartController(options);
  Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
  Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
  const int64_t latest = Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n");
  source.Start();
  ASSERT_TRUE(WaitFor([&] { return source.state().relists == 1; }));
  EXPECT_EQ(source.state().watch_from, -1);
  EXPECT_TRUE(policy.changed());
  ASSERT_TRUE(policy.load().ok());
  EXPECT_EQ(source.state().loaded_revision, latest);
  // The stream restarts from the fresh span's revision and carries new changes.
  ASSERT_TRUE(WaitFor([&] { return source.state().watching; }));
  const int64_t moved = Apply(ApiPodAt("10.0.1.9"));
  std::vector<PolicyDelta> deltas;
  ASSERT_TRUE(WaitFor([&] {
    for (PolicyDelta& d : policy.take_deltas()) deltas.push_back(std::move(d));
    return !deltas.empty();
  }));
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].kind, "Pod");
  EXPECT_EQ(deltas[0].name, "api");
  ASSERT_EQ(deltas[0].object.pods.size(), 1u);
  EXPECT_EQ(deltas[0].object.pods[0].ips[0].ToString(), "10.0.1.9");
  EXPECT_EQ(source.state().loaded_revision, moved);
  EXPECT_FALSE(policy.changed());
  EXPECT_EQ(source.state().relists, 1u);
}

// The raw span stream of a node: GET /api/v1/watch?node=&resourceVersion=.
class SpanStream {
 public:
  SpanStream(const ApiClient& client, const std::string& node, int64_t from) {
    thread_ = std::thread([this, &client, node, from] {
      ApiClient::WatchOptions options;
      options.canceller = &canceller_;
      options.http_status = &status_;
      Status s = client.Watch(
          "node=" + node + "&resourceVersion=" + std::to_string(from),
          [this](const Json& event) {
            std::lock_guard<std::mutex> lock(mu_);
            events_.push_back(event);
            return true;
          },
          options);
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
    });
  }
  ~SpanStream() {
    canceller_.Cancel();
    thread_.join();
  }
  // "MODIFIED Pod shop/api", "DELETED NetworkPolicy shop/x" (bookmarks left out).
  std::vector<std::string> Changes() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const Json& e : events_) {
      if (e["type"] == "BOOKMARK") continue;
      const Json& md = e["object"]["metadata"];
      std::string ns = md.value("namespace", "");
      out.push_back(e["type"].get<std::string>() + " " + e["object"].value("kind", "") + " " +
                    (ns.empty() ? "" : ns + "/") + md.value("name", ""));
    }
    return out;
  }
  bool Has(const std::string& change) {
    std::vector<std::string> all = Changes();
    return std::find(all.begin(), all.end(), change) != all.end();
  }
  int64_t LastBookmark() {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t last = -1;
    for (const Json& e : events_) {
      if (e["type"] == "BOOKMARK") {
        last = std::stoll(e["object"]["metadata"]["resourceVersion"].get<std::string>());
      }
    }
    return last;
  }
  bool ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  int status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  WatchCanceller canceller_;
  std::mutex mu_;
  std::vector<Json> events_;
  bool ended_ = false;
  int status_ = 0;
  std::thread thread_;
};

TEST_F(AgentControllerTest, TheSpanStreamShipsObjectsThatEnterChangeAndLeaveTheSpan) {
  Apply(kCluster);
  auto span = client_->Span("node-a");
  ASSERT_TRUE(span.ok()) << span.status().message();
  const int64_t from = std::stoll((*span)["metadata"]["resourceVersion"].get<std::string>());
  SpanStream stream(*client_, "node-a", from);
  ASSERT_TRUE(WaitFor([&] { return stream.LastBookmark() == from; }));

  // A new member of a peer identity enters; a peer moves; a pod that is no
  // peer of node-a changes: not shipped.
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: api-2, labels: {app: api}}\n"
        "spec: {nodeName: node-c}\nstatus: {podIP: 10.0.2.2}\n");
  Apply(ApiPodAt("10.0.1.3"));
  const int64_t unrelated = Apply(
      "apiVersion: v1\nkind: Pod\nmetadata: {namespace: other, name: batch, labels: {app: "
      "batch}}\nspec: {nodeName: node-b}\nstatus: {podIP: 10.0.1.8}\n");
  ASSERT_TRUE(WaitFor([&] { return stream.LastBookmark() >= unrelated; }));
  EXPECT_EQ(stream.Changes(),
            (std::vector<std::string>{"MODIFIED Pod shop/api-2", "MODIFIED Pod shop/api"}));

  // A policy that names batch's namespace brings batch and its namespace in.
  Apply(R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: web-from-other}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}]
)");
  ASSERT_TRUE(WaitFor([&] { return stream.Has("MODIFIED Pod other/batch"); }));
  EXPECT_TRUE(stream.Has("MODIFIED Namespace other"));
  EXPECT_TRUE(stream.Has("MODIFIED NetworkPolicy shop/web-from-other"));

  // Deleting the policy that named the api pods takes them out again.
  ASSERT_TRUE(client_->Delete("networkpolicy", "web-from-api", "shop").ok());
  ASSERT_TRUE(WaitFor([&] { return stream.Has("DELETED NetworkPolicy shop/web-from-api"); }));
  EXPECT_TRUE(stream.Has("DELETED Pod shop/api"));
  EXPECT_TRUE(stream.Has("DELETED Pod shop/api-2"));
  EXPECT_FALSE(stream.Has("DELETED Pod shop/web")) << "local pods stay";
}

TEST_F(AgentControllerTest, TheSpanStreamResumesFromARevisionOr410s) {
  const int64_t cluster = Apply(kCluster);
  ASSERT_TRUE(client_->Span("node-a").ok());
  const int64_t moved = Apply(ApiPodAt("10.0.1.3"));
  const int64_t again = Apply(ApiPodAt("10.0.1.4"));
  {
    // From a revision in the node's history: the changes after it only.
    SpanStream stream(*client_, "node-a", moved);
    ASSERT_TRUE(WaitFor([&] { return stream.LastBookmark() == again; }));
    EXPECT_EQ(stream.Changes(), (std::vector<std::string>{"MODIFIED Pod shop/api"}));
  }
  {
    // Before the node's span was taken, across the cluster's policies: gone.
    SpanStream stream(*client_, "node-a", cluster - 1);
    ASSERT_TRUE(WaitFor([&] { return stream.ended(); }));
    EXPECT_EQ(stream.status(), 410);
  }
  // A restarted controller resumes a stream from the store's history when
  // only peers changed since.
  StartController();
  const int64_t after_restart = Apply(ApiPodAt("10.0.1.5"));
  {
    SpanStream stream(*client_, "node-a", again);
    ASSERT_TRUE(WaitFor([&] { return stream.LastBookmark() >= after_restart; }));
    EXPECT_EQ(stream.Changes(), (std::vector<std::string>{"MODIFIED Pod shop/api"}));
    EXPECT_EQ(stream.status(), 200);
  }
  // ... but not when a policy changed since: 410, take the span again.
  Apply("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: shop, "
        "name: deny-web}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: []\n");
  StartController();
  {
    SpanStream stream(*client_, "node-a", after_restart);
    ASSERT_TRUE(WaitFor([&] { return stream.ended(); }));
    EXPECT_EQ(stream.status(), 410);
  }
}

TEST_F(AgentControllerTest, APodRecreatedWithANewIpReachesThePlanAsAPatch) {
  Apply(kCluster);
  // A second member of api's identity.
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: api-2, labels: {app: api}}\n"
        "spec: {nodeName: node-c}\nstatus: {podIP: 10.0.2.2}\n");
  LockedExecutor executor;
  RunningAgent a(SourceOptions("node-a"), &executor);
  ASSERT_TRUE(WaitFor([&] { return a.agent.snapshot().syncs >= 1 && a.source.state().watching; }));
  ASSERT_NE(executor.LastScript().find("10.0.1.2 : 0x"), std::string::npos);

  // Deleted: its address leaves the kernel's maps.
  ASSERT_TRUE(client_->Delete("pod", "api", "shop").ok());
  ASSERT_TRUE(WaitFor([&] { return a.agent.snapshot().delta_syncs >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return executor.LastScript().find("10.0.1.2") != std::string::npos; }));
  EXPECT_NE(executor.LastScript().find("delete element"), std::string::npos) << executor.LastScript();

  // Recreated with a new IP and the same labels: the new address is in.
  const int64_t recreated = Apply(ApiPodAt("10.0.1.77"));
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == recreated; }));
  EXPECT_NE(executor.LastScript().find("10.0.1.77 : 0x"), std::string::npos)
      << executor.LastScript();
  Agent::Snapshot snap = a.agent.snapshot();
  EXPECT_GE(snap.patched, 2u) << "both changes patched the plan";
  EXPECT_EQ(snap.last_error, "");
  EXPECT_EQ(a.source.state().relists, 0u);

  // A policy change is a delta too (compiled, not patched).
  const int64_t policy = Apply(
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: shop, name: "
      "web-from-api}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: "
      "[{podSelector: {matchLabels: {app: api}}}]\n    ports: [{port: 8080}]\n");
  ASSERT_TRUE(WaitFor([&] { return a.source.state().applied_revision == policy; }));
  EXPECT_NE(executor.LastScript().find("8080"), std::string::npos) << executor.LastScript();
}

TEST_F(AgentControllerTest, StopEndsAnOpenWatch) {
  Apply(kCluster);
  ControllerSource source(SourceOptions("node-a"));
  ASSERT_TRUE(source.policy_source().load().ok());
  source.Start();
  ASSERT_TRUE(WaitFor([&] { return source.state().watching; }));
  source.Stop();  // returns: the watch is cancelled, not waited out
  EXPECT_FALSE(source.state().watching);
}

TEST(HostWorkloadManifestTest, NamesTheHostAsItsOwnEnforcementPoint) {
  ControllerSourceOptions options;
  options.node = "h1";
  options.ips = {"10.1.1.1"};
  options.labels = {{"env", "prod"}};
  EXPECT_EQ(Json::parse(HostWorkloadManifest(options)),
            Json::parse(R"({"apiVersion": "microseg.io/v1alpha1", "kind": "Workload",
                            "metadata": {"name": "h1", "labels": {"env": "prod"}},
                            "spec": {"host": "h1", "ips": ["10.1.1.1"]}})"));
}

}  // namespace
}  // namespace microseg
