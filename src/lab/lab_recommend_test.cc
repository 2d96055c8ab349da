// The visibility story end to end (docs/VISIBILITY.md, examples/visibility):
// an application runs in visibility mode under real agents that follow a
// controller; each node's FlowReporter collects the kernel's flows
// (conntrack, NFLOG) and ships them to the controller; a recommendation is
// made from the controller's flows and objects (as `microseg recommend
// --server` makes it), verified in the model, applied, and enforcement is
// switched on. Then real connections: the traffic that was observed still
// passes, and a flow that was never observed is blocked.
// Needs root and nftables (skips otherwise); every wait is a bounded poll for
// an outcome; the lab is swept by prefix before and after, also when a test
// fails.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "agent/flow_reporter.h"
#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "dataplane/nft/libnftables_executor.h"
#include "flow/aggregate_json.h"
#include "flow/recommend.h"
#include "flow/recommend_verify.h"
#include "flow/recommend_yaml.h"
#include "ingest/manifest_loader.h"
#include "lab/lab.h"
#include "netns/netns.h"
#include "lab/probe.h"

namespace microseg::lab {
namespace {

using namespace std::chrono_literals;

constexpr char kStateDir[] = "/tmp/microseg-lab-test";

std::string LabName() {
  return "r" + std::to_string(getpid() % 100000);
}

std::string PodYaml(const std::string& name, const std::string& app, const std::string& node,
                    const std::string& ip, int port) {
  return "---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: " + name +
         ", uid: " + name + "-uid, labels: {app: " + app + "}}\nspec:\n  nodeName: " + node +
         "\n  containers: [{name: c, ports: [{containerPort: " + std::to_string(port) +
         "}]}]\nstatus: {podIP: " + ip + "}\n";
}

// A three-tier shop on two nodes: web -> api:8080 -> db:5432. web and db
// share node-1, so web -> db never leaves it.
std::string ShopYaml() {
  std::string out;
  for (const char* node : {"node-1", "node-2"}) {
    out += std::string("---\napiVersion: v1\nkind: Node\nmetadata: {name: ") + node + "}\n";
  }
  out += "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
  out += PodYaml("web-1", "web", "node-1", "10.0.1.10", 80);
  out += PodYaml("api-1", "api", "node-2", "10.0.2.10", 8080);
  out += PodYaml("db-1", "db", "node-1", "10.0.1.11", 5432);
  return out;
}

// Onboarding: every pod in visibility mode (nothing is enforced yet).
constexpr char kOnboard[] = R"(---
apiVersion: microseg.io/v1alpha1
kind: EnforcementMode
metadata: {name: onboard-shop}
spec:
  scope: {selector: {}, kinds: [Pod]}
  mode: visibility
)";

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds bound = 30s) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// A TCP connection from `from` (its namespace, bound to its address) to
// `to`:port that completes within a second, with a few bytes written.
bool TcpConnect(const LabEndpoint& from, const LabEndpoint& to, uint16_t port) {
  int fd;
  {
    ScopedNetns in(from.netns);
    if (!in.status().ok()) return false;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) return false;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from.ip.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  inet_pton(AF_INET, to.ip.c_str(), &dst.sin_addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) == 0;
  if (ok && connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    ok = errno == EINPROGRESS && poll(&p, 1, 1000) == 1 &&
         getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  if (ok) ok = send(fd, "hello", 5, MSG_NOSIGNAL) == 5;
  close(fd);
  return ok;
}

class LabRecommendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    ASSERT_TRUE(Sweep(LabName(), kStateDir).ok());
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    client_ = std::make_unique<ApiClient>(controller_->url(), controller_->token());
  }
  void TearDown() override {
    reporters_.clear();  // their sockets live in the lab's namespaces
    lab_.reset();
    if (controller_) controller_->Stop();
    if (!client_) return;  // skipped
    Sweep(LabName(), kStateDir);
    EXPECT_TRUE(ListNetns("ms-" + LabName() + "-").empty());
  }

  int64_t Apply(const std::string& text) {
    auto applied = client_->Apply({{"test.yaml", text}});
    EXPECT_TRUE(applied.ok()) << applied.status().message();
    return applied.ok() ? std::stoll((*applied)["resourceVersion"].get<std::string>()) : -1;
  }

  bool AgentsReport(int64_t revision) {
    auto agents = client_->ListAgents();
    if (!agents.ok()) return false;
    size_t at = 0;
    for (const Json& item : (*agents)["items"]) {
      const Json& rv = item["resourceVersion"];
      int64_t got = rv.is_string()   ? std::stoll(rv.get<std::string>())
                    : rv.is_number() ? rv.get<int64_t>()
                                     : 0;
      if (got >= revision && item.value("lastError", "") == "") ++at;
    }
    return at == lab_->topology().nodes.size();
  }

  std::string AgentsText() {
    auto agents = client_->ListAgents();
    return agents.ok() ? agents->dump() : agents.status().message();
  }

  // A FlowReporter per node, as `microseg agent --controller` runs one:
  // collecting in the node's namespace, shipping to the controller from
  // this one (where the controller listens on loopback).
  void StartReporters() {
    for (const LabNode& node : lab_->topology().nodes) {
      FlowReporterOptions o;
      o.node = node.name;
      o.server = controller_->url();
      o.token = controller_->token();
      o.interval = 200ms;
      auto reporter = std::make_unique<FlowReporter>(
          o, [name = node.name](const std::string& line) {
            std::fprintf(stderr, "reporter %s: %s\n", name.c_str(), line.c_str());
          });
      Status started = Status::Error("not started");
      std::thread([&] {
        ScopedNetns in(node.netns);
        started = in.status().ok() ? reporter->StartCollectors() : in.status();
      }).join();
      ASSERT_TRUE(started.ok()) << node.name << ": " << started.message();
      reporter->StartShipping();
      reporters_.push_back(std::move(reporter));
    }
  }

  // The controller's aggregates (GET /api/v1/flows), as recommend reads them.
  std::vector<AggregatedFlow> ControllerFlows() {
    auto reply = client_->QueryFlows("");
    if (!reply.ok()) return {};
    auto flows = AggregatedFlowsFromJson((*reply)["items"]);
    return flows.ok() ? *flows : std::vector<AggregatedFlow>{};
  }

  const LabEndpoint& Endpoint(const std::string& key) {
    for (const LabEndpoint& e : endpoints_) {
      if (e.key == key) return e;
    }
    ADD_FAILURE() << "no endpoint " << key;
    static const LabEndpoint kNone;
    return kNone;
  }

  testing::TempDir dir_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<Lab> lab_;
  std::vector<std::unique_ptr<FlowReporter>> reporters_;
  std::vector<LabEndpoint> endpoints_;
};

ObjectSet MustParse(const std::string& text) {
  auto parsed = ParseManifests(text, "test.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed->objects : ObjectSet{};
}

TEST_F(LabRecommendTest, ObserveRecommendEnforce) {
  // 1. The shop in visibility mode, its agents following the controller.
  const int64_t first = Apply(ShopYaml() + kOnboard);
  ASSERT_GT(first, 0);
  LabOptions o;
  o.name = LabName();
  o.state_dir = kStateDir;
  o.agent_poll = 50ms;
  o.controller = controller_->url();
  o.controller_token = controller_->token();
  auto up = Lab::Up(MustParse(ShopYaml()), o);
  ASSERT_TRUE(up.ok()) << up.status().message();
  lab_ = std::move(*up);
  endpoints_ = lab_->topology().Endpoints();
  ASSERT_EQ(endpoints_.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return AgentsReport(first); }))
      << "agents did not report " << first << ": " << AgentsText();
  ASSERT_NO_FATAL_FAILURE(StartReporters());

  // 2. The application's traffic: web -> api:8080 and api -> db:5432, a few
  // connections each. In visibility mode all of it passes; so would
  // anything else (web -> db), which the application never does.
  const LabEndpoint& web = Endpoint("shop/web-1");
  const LabEndpoint& api = Endpoint("shop/api-1");
  const LabEndpoint& db = Endpoint("shop/db-1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(TcpConnect(web, api, 8080)) << "web -> api in visibility mode";
    ASSERT_TRUE(TcpConnect(api, db, 5432)) << "api -> db in visibility mode";
  }

  // 3. The flows reach the controller while the connections are still in
  // TIME_WAIT: reported when they start.
  auto observed = [&](const std::string& from, const std::string& to, uint16_t port) {
    for (const AggregatedFlow& f : ControllerFlows()) {
      if (f.src->DisplayName() == from && f.dst->DisplayName() == to && f.port == port &&
          f.verdict == FlowVerdict::kAllow && f.flows >= 3) {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(WaitFor([&] {
    return observed("shop/web-1", "shop/api-1", 8080) && observed("shop/api-1", "shop/db-1", 5432);
  })) << "flows did not reach the controller: " << [&] {
    auto reply = client_->QueryFlows("");
    return reply.ok() ? reply->dump(2) : reply.status().message();
  }();

  // 4. Recommend from the controller's objects and flows, verify in the
  // model (as `microseg recommend --server` does).
  const ObjectSet today_objects = MustParse(ShopYaml() + kOnboard);
  PolicyEngine today;
  today.Load(today_objects);
  RecommendOptions options;
  Recommendation rec = Recommend(ControllerFlows(), options);
  ASSERT_EQ(rec.objects.network_policies.size(), 3u) << "one per app";
  const std::string yaml = ObjectsToYaml(rec.objects, "lab_recommend_test");
  auto parsed = ParseManifests(yaml, "<recommendation>");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << yaml;
  ObjectSet after_objects = MustParse(ShopYaml() + yaml);  // enforced: no onboarding mode
  PolicyEngine after;
  after.Load(after_objects);
  VerifyReport report = VerifyRecommendation(today, after, rec.covered, options.group_by);
  EXPECT_TRUE(report.ok()) << yaml;
  EXPECT_EQ(report.observed_allowed, report.observed);

  // 5. Apply it and switch to enforced (delete the visibility mode).
  const int64_t applied = Apply(yaml);
  ASSERT_GT(applied, first);
  auto deleted = client_->Delete("EnforcementMode", "onboard-shop", std::nullopt);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  // Until the kernels enforce it (bounded): web -> db stops connecting.
  ASSERT_TRUE(WaitFor([&] { return !TcpConnect(web, db, 5432); }, 60s))
      << "the recommendation was not enforced; agents: " << AgentsText();

  // 6. The observed flows still pass; web -> db, never observed, is blocked;
  // and every probed pair agrees with the model.
  EXPECT_TRUE(TcpConnect(web, api, 8080)) << "observed web -> api:8080 must still pass";
  EXPECT_TRUE(TcpConnect(api, db, 5432)) << "observed api -> db:5432 must still pass";
  EXPECT_FALSE(TcpConnect(web, db, 5432)) << "unobserved web -> db:5432 must be blocked";
  for (uint16_t port : {8080, 5432}) {
    ProbeTable t = Probe(lab_->topology(), after, Protocol::kTCP, port);
    EXPECT_TRUE(t.Disagreements().empty()) << t.ToText();
    for (const ProbeRow& r : t.rows) {
      const bool wanted = (r.from == "shop/web-1" && r.to == "shop/api-1" && port == 8080) ||
                          (r.from == "shop/api-1" && r.to == "shop/db-1" && port == 5432);
      EXPECT_EQ(r.observed, wanted ? "allow" : "deny") << r.from << " -> " << r.to << ":" << port;
    }
  }
}

}  // namespace
}  // namespace microseg::lab
