// End to end with the controller: an in-process Controller on 127.0.0.1
// (SQLite in a temp dir), a lab whose agents follow it (ControllerSource:
// span, watch, status), the cluster and a policy written through the API,
// real connections probed against the model. Then the controller goes away
// and enforcement must not.
// Needs root and nftables (skips otherwise); waits are bounded polls for an
// outcome, never assertions about speed; the lab is swept by prefix before
// and after, also when a test fails.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <string>
#include <thread>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "dataplane/nft/libnftables_executor.h"
#include "ingest/manifest_loader.h"
#include "lab/lab.h"
#include "netns/netns.h"
#include "lab/probe.h"

namespace microseg::lab {
namespace {

using namespace std::chrono_literals;

constexpr char kStateDir[] = "/tmp/microseg-lab-test";

// A lab name of its own (see lab_test.cc): ctest may run other lab tests'
// processes at the same time, and a sweep must only remove ours.
std::string LabName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("c") + std::to_string(getpid() % 100000) + "-";
  for (const char* c = info->name(); *c && name.size() < 12; ++c) {
    if (isupper(static_cast<unsigned char>(*c))) name += static_cast<char>(tolower(*c));
  }
  return name;
}

std::string PodYaml(const std::string& ns, const std::string& name, const std::string& node,
                    const std::string& ip) {
  return "---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: " + ns + ", name: " + name +
         ", uid: " + ns + "-" + name + "-uid, labels: {pod: " + name + "}}\nspec:\n  nodeName: " + node +
         "\n  containers: [{name: c, ports: [{name: serve-80-tcp, containerPort: 80},"
         " {name: serve-80-udp, containerPort: 80, protocol: UDP}]}]\n"
         "status: {podIP: " +
         ip + "}\n";
}

// 2 namespaces x 2 pods on 2 nodes; a on node-1, b on node-2.
std::string ClusterYaml() {
  std::string out;
  for (const char* node : {"node-1", "node-2"}) {
    out += std::string("---\napiVersion: v1\nkind: Node\nmetadata: {name: ") + node + "}\n";
  }
  int n = 10;
  for (const std::string ns : {"x", "y"}) {
    out += "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + ", labels: {ns: " + ns + "}}\n";
    out += PodYaml(ns, "a", "node-1", "10.0.1." + std::to_string(n));
    out += PodYaml(ns, "b", "node-2", "10.0.2." + std::to_string(n));
    ++n;
  }
  return out;
}

// x/a accepts TCP 80 from namespace y only; y/b accepts nothing.
constexpr char kPolicies[] = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: x, name: a-from-y}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: y, name: b-isolated}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: []
)";

// Polls `done` until it holds or 30 s pass (a bound for slow machines).
bool WaitFor(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class LabControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    lab_name_ = LabName();
    ASSERT_TRUE(Sweep(lab_name_, kStateDir).ok());
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    client_ = std::make_unique<ApiClient>(controller_->url(), controller_->token());
  }
  void TearDown() override {
    lab_.reset();  // ~Lab stops agents and sources, and sweeps
    if (controller_) controller_->Stop();
    if (lab_name_.empty()) return;  // skipped
    Sweep(lab_name_, kStateDir);
    EXPECT_TRUE(ListNetns("ms-" + lab_name_ + "-").empty());
  }

  int64_t Apply(const std::string& text) {
    auto applied = client_->Apply({{"test.yaml", text}});
    EXPECT_TRUE(applied.ok()) << applied.status().message();
    return applied.ok() ? std::stoll((*applied)["resourceVersion"].get<std::string>()) : -1;
  }

  // Every node's agent reported (GET /api/v1/agents) a successful sync of a
  // span at `revision` or later.
  bool AgentsReport(int64_t revision) {
    auto agents = client_->ListAgents();
    if (!agents.ok()) return false;
    size_t at = 0;
    for (const Json& item : (*agents)["items"]) {
      const Json& rv = item["resourceVersion"];
      int64_t got = rv.is_string() ? std::stoll(rv.get<std::string>()) : rv.is_number() ? rv.get<int64_t>() : 0;
      if (got >= revision && item.value("lastError", "") == "") ++at;
    }
    return at == lab_->topology().nodes.size();
  }

  testing::TempDir dir_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> client_;
  std::string lab_name_;
  std::unique_ptr<Lab> lab_;
};

ObjectSet MustParse(const std::string& text) {
  auto parsed = ParseManifests(text, "test.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed->objects : ObjectSet{};
}

TEST_F(LabControllerTest, AgentsFollowTheControllerAndKeepEnforcingWithoutIt) {
  const int64_t first = Apply(ClusterYaml());
  ASSERT_GT(first, 0);
  const ObjectSet cluster = MustParse(ClusterYaml());

  LabOptions o;
  o.name = lab_name_;
  o.state_dir = kStateDir;
  o.agent_poll = 50ms;
  o.controller = controller_->url();
  o.controller_token = controller_->token();
  auto up = Lab::Up(cluster, o);
  ASSERT_TRUE(up.ok()) << up.status().message();
  lab_ = std::move(*up);
  ASSERT_EQ(lab_->topology().nodes.size(), 2u);
  ASSERT_EQ(lab_->topology().pods.size(), 4u);

  // No policy: everything allowed, as the model says.
  ASSERT_TRUE(WaitFor([&] { return AgentsReport(first); })) << "agents did not report " << first;
  {
    PolicyEngine engine;
    engine.Load(cluster);
    ProbeTable t = Probe(lab_->topology(), engine, Protocol::kTCP, 80);
    EXPECT_EQ(t.rows.size(), 12u);
    EXPECT_TRUE(t.Disagreements().empty()) << t.ToText();
    for (const ProbeRow& r : t.rows) EXPECT_EQ(r.observed, "allow") << r.from << " -> " << r.to;
  }

  // A policy written through the API reaches both nodes' kernels.
  const int64_t second = Apply(kPolicies);
  ASSERT_GT(second, first);
  ASSERT_TRUE(WaitFor([&] { return AgentsReport(second); })) << "agents did not report " << second;
  PolicyEngine engine;
  engine.Load(MustParse(ClusterYaml() + kPolicies));
  ProbeTable enforced = Probe(lab_->topology(), engine, Protocol::kTCP, 80);
  EXPECT_EQ(enforced.rows.size(), 12u);
  EXPECT_TRUE(enforced.Disagreements().empty()) << enforced.ToText();
  int denied = 0;
  for (const ProbeRow& r : enforced.rows) denied += r.observed == "deny";
  EXPECT_EQ(denied, 4) << "x/b -> x/a, and everyone -> y/b\n" << enforced.ToText();

  // Controller gone: every agent notices (its load fails), applies nothing,
  // and the kernel keeps enforcing the last policy.
  controller_->Stop();
  controller_.reset();
  ASSERT_TRUE(WaitFor([&] {
    for (const Agent::Snapshot& s : lab_->AgentSnapshots()) {
      if (s.failures == 0 || s.last_error.empty()) return false;
    }
    return true;
  })) << "agents did not notice the controller going away";
  ProbeTable without = Probe(lab_->topology(), engine, Protocol::kTCP, 80);
  EXPECT_TRUE(without.Disagreements().empty()) << without.ToText();
  ASSERT_EQ(without.rows.size(), enforced.rows.size());
  for (size_t i = 0; i < without.rows.size(); ++i) {
    EXPECT_EQ(without.rows[i].observed, enforced.rows[i].observed)
        << without.rows[i].from << " -> " << without.rows[i].to;
  }
}

// A UDP socket made in `netns` (it stays there) and connected to ip:80,
// so every datagram is one flow: the same 5-tuple, one conntrack entry
// per node on the way. -1 on failure.
int UdpFlow(const std::string& netns, const std::string& ip) {
  int fd = -1;
  std::thread t([&] {
    ScopedNetns in(netns);
    if (!in.status().ok()) return;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(80);
    inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      close(fd);
      fd = -1;
    }
  });
  t.join();
  return fd;
}

// The lab's UDP listeners echo: does a datagram on `fd` come back (two
// tries, 500 ms each)?
bool Echoes(int fd) {
  char buf[16];
  while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {  // stale echoes
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (send(fd, "ping", 4, 0) != 4) continue;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 500) == 1 && recv(fd, buf, sizeof(buf), 0) > 0) return true;
  }
  return false;
}

// IP reuse under churn: y/b talks to x/a on an established UDP flow; y/b is
// deleted and y/c, whom x/a's policy does not admit, gets its address. The
// flow's packets come from the same socket, but they are c's now: the
// agents must flush the address's conntrack entries, or the established
// flow would go on past the policy.
TEST_F(LabControllerTest, ANewOwnerOfAnAddressDoesNotInheritItsFlows) {
  // x/a accepts UDP 80 from pod=b pods only.
  constexpr char kAFromB[] = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: x, name: a-from-b}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: 80, protocol: UDP}]
)";
  const int64_t first = Apply(ClusterYaml() + kAFromB);
  ASSERT_GT(first, 0);
  LabOptions o;
  o.name = lab_name_;
  o.state_dir = kStateDir;
  o.agent_poll = 50ms;
  o.controller = controller_->url();
  o.controller_token = controller_->token();
  auto up = Lab::Up(MustParse(ClusterYaml()), o);
  ASSERT_TRUE(up.ok()) << up.status().message();
  lab_ = std::move(*up);
  ASSERT_TRUE(WaitFor([&] { return AgentsReport(first); })) << "agents did not report " << first;

  const LabPod* yb = nullptr;
  for (const LabPod& p : lab_->topology().pods) {
    if (p.key == "y/b") yb = &p;
  }
  ASSERT_NE(yb, nullptr);
  int fd = UdpFlow(yb->netns, "10.0.1.10");  // x/a
  ASSERT_GE(fd, 0);
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  ASSERT_TRUE(Echoes(fd)) << "y/b -> x/a UDP 80 is allowed";
  ASSERT_TRUE(Echoes(fd)) << "and stays allowed on its established flow";

  // y/b deleted; y/c (pod=c, a new UID) gets its address on the same node.
  auto deleted = client_->Delete("pod", "b", std::string("y"));
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  const int64_t second = Apply(PodYaml("y", "c", "node-2", yb->ip));
  ASSERT_TRUE(WaitFor([&] { return AgentsReport(second); })) << "agents did not report " << second;

  // What the model says of y/c -> x/a, on a flow of its own.
  int fresh = UdpFlow(yb->netns, "10.0.1.10");
  ASSERT_GE(fresh, 0);
  EXPECT_FALSE(Echoes(fresh)) << "a new flow from y/c is denied";
  close(fresh);
  EXPECT_FALSE(Echoes(fd)) << "the flow y/b opened must not go on as y/c's";
  uint64_t deleted_entries = 0;
  for (const Agent::Snapshot& s : lab_->AgentSnapshots()) deleted_entries += s.conntrack_deleted;
  EXPECT_GT(deleted_entries, 0u);
}

}  // namespace
}  // namespace microseg::lab
