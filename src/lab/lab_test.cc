// Network tests: the classic x,y,z × a,b,c cluster and the hybrid example
// (VMs, pods, an unmanaged database) in real namespaces, enforced by real
// agents; observed connections must equal the model.
// Needs root and nftables (skips otherwise); bounded in time; the lab is
// swept by prefix before and after, also when a test fails.
#include "lab/lab.h"

#include <gtest/gtest.h>
#include <cctype>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "dataplane/nft/libnftables_executor.h"
#include "ingest/manifest_loader.h"
#include "netns/netns.h"
#include "lab/probe.h"
#include "policy/test_builders.h"

namespace microseg::lab {
namespace {

using namespace microseg::testing;
using std::chrono::milliseconds;

constexpr char kStateDir[] = "/tmp/microseg-lab-test";

// Each test gets its own lab name (netns prefix "ms-<name>-"): ctest runs
// the tests of this file as separate processes, possibly at the same time,
// and a sweep by one must never remove another's namespaces.
std::string LabName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("t") + std::to_string(getpid() % 100000) + "-";
  for (const char* c = info->name(); *c && name.size() < 12; ++c) {
    if (isupper(static_cast<unsigned char>(*c))) name += static_cast<char>(tolower(*c));
  }
  return name;
}

ObjectSet Cluster() {
  ObjectSet o;
  const char* nss[] = {"x", "y", "z"};
  const char* pods[] = {"a", "b", "c"};
  for (int n = 0; n < 3; ++n) {
    o.namespaces.push_back(Ns(nss[n], L({{"ns", nss[n]}})));
    for (int p = 0; p < 3; ++p) {
      std::vector<ContainerPort> ports = {{"serve-80-tcp", 80, Protocol::kTCP}, {"serve-81-tcp", 81, Protocol::kTCP},
                                          {"serve-80-udp", 80, Protocol::kUDP}, {"serve-81-udp", 81, Protocol::kUDP}};
      Pod pod = MakePod(nss[n], pods[p], L({{"pod", pods[p]}}),
                        "10.0." + std::to_string(p + 1) + "." + std::to_string(n + 10), ports);
      pod.node_name = "node-" + std::to_string(p + 1);  // a, b, c on three nodes
      o.pods.push_back(std::move(pod));
    }
  }
  for (int i = 1; i <= 3; ++i) o.nodes.push_back(Node{"node-" + std::to_string(i), {}, {}});
  return o;
}

PortMatch Tcp(uint16_t p) { return PortMatch::Range(Protocol::kTCP, p, p); }
PortMatch Udp(uint16_t p) { return PortMatch::Range(Protocol::kUDP, p, p); }

NetworkPolicyRule From(std::vector<NetworkPolicyPeer> peers, std::vector<PortMatch> ports = {}) {
  return NetworkPolicyRule{std::move(ports), std::move(peers)};
}

NetworkPolicyPeer NsPodPeer(LabelSelector ns, LabelSelector pods) {
  NetworkPolicyPeer p;
  p.namespace_selector = std::move(ns);
  p.pod_selector = std::move(pods);
  return p;
}

struct Scenario {
  const char* description;
  std::function<void(ObjectSet&)> apply;
};

std::vector<Scenario> Scenarios() {
  return {
      {"no policy: everything allowed", [](ObjectSet&) {}},
      {"deny all ingress in x", [](ObjectSet& o) { o.network_policies.push_back(Np("x", "deny-all", Sel({}), {})); }},
      {"x/a accepts only y on TCP 80 and UDP 81",
       [](ObjectSet& o) {
         o.network_policies.push_back(
             Np("x", "a-from-y", Sel({{"pod", "a"}}), {From({NsPeer(Sel({{"ns", "y"}}))}, {Tcp(80), Udp(81)})}));
       }},
      {"egress of y limited to z/b and x on named port serve-81-tcp",
       [](ObjectSet& o) {
         o.network_policies.push_back(Np("y", "egress", Sel({}), {},
                                         std::vector<NetworkPolicyRule>{
                                             From({NsPodPeer(Sel({{"ns", "z"}}), Sel({{"pod", "b"}}))}),
                                             From({NsPeer(Sel({{"ns", "x"}}))},
                                                  {PortMatch::Named(Protocol::kTCP, "serve-81-tcp")})}));
         o.network_policies.back().ingress.clear();
         o.network_policies.back().affects_ingress = false;
       }},
      {"ANP: deny z -> x, pass y -> x, then NP allows y/b only",
       [](ObjectSet& o) {
         o.admin_network_policies.push_back(
             Anp("tiers", 10, Sel({{"ns", "x"}}),
                 {ARule("pass-y", AdminAction::kPass, {AdminNamespaces(Sel({{"ns", "y"}}))}),
                  ARule("deny-z", AdminAction::kDeny, {AdminNamespaces(Sel({{"ns", "z"}}))})}));
         o.network_policies.push_back(
             Np("x", "from-yb", Sel({}), {From({NsPodPeer(Sel({{"ns", "y"}}), Sel({{"pod", "b"}}))})}));
       }},
      {"ipBlock with except: x/b accepts 10.0.0.0/8 except 10.0.2.0/24",
       [](ObjectSet& o) {
         o.network_policies.push_back(
             Np("x", "block", Sel({{"pod", "b"}}), {From({BlockPeer("10.0.0.0/8", {"10.0.2.0/24"})})}));
       }},
  };
}

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    lab_name_ = LabName();
    ASSERT_TRUE(Sweep(lab_name_, kStateDir).ok());
  }
  void TearDown() override {
    lab_.reset();  // ~Lab stops agents and sweeps
    if (lab_name_.empty()) return;  // skipped
    Sweep(lab_name_, kStateDir);
    EXPECT_TRUE(ListNetns("ms-" + lab_name_ + "-").empty());
  }

  void Up(const ObjectSet& objects) {
    LabOptions o;
    o.name = lab_name_;
    o.state_dir = kStateDir;
    o.agent_poll = milliseconds(50);
    auto lab = Lab::Up(objects, o);
    ASSERT_TRUE(lab.ok()) << lab.status().message();
    lab_ = std::move(*lab);
  }

  // Enforces `objects`, then probes TCP 80, TCP 81, UDP 80 and UDP 81.
  void ExpectAgreement(const ObjectSet& objects, const std::string& what, int* denies = nullptr) {
    lab_->SetObjects(objects);
    ASSERT_TRUE(lab_->WaitForAgents(milliseconds(10000))) << what << ": agents did not sync";
    PolicyEngine engine;
    engine.Load(objects);
    for (auto [proto, port] : {std::pair{Protocol::kTCP, 80}, {Protocol::kTCP, 81}, {Protocol::kUDP, 80},
                               {Protocol::kUDP, 81}}) {
      ProbeTable t = Probe(lab_->topology(), engine, proto, static_cast<uint16_t>(port));
      EXPECT_EQ(t.rows.size(), 72u);
      EXPECT_TRUE(t.Disagreements().empty()) << what << "\n" << t.ToText();
      if (denies) {
        for (const auto& r : t.rows) *denies += r.model == "deny";
      }
    }
  }

  std::string lab_name_;
  std::unique_ptr<Lab> lab_;
};

TEST_F(LabTest, ClassicScenariosObservedEqualsModel) {
  Up(Cluster());
  int denies = 0;
  for (const Scenario& s : Scenarios()) {
    ObjectSet o = Cluster();
    s.apply(o);
    ExpectAgreement(o, s.description, &denies);
  }
  EXPECT_GT(denies, 50) << "the scenarios must deny something";
}

TEST_F(LabTest, IncrementalUpdatesAreEnforced) {
  ObjectSet o = Cluster();
  Scenarios()[2].apply(o);  // x/a accepts only y
  Up(o);
  ExpectAgreement(o, "initial");
  // Relabel x/b to pod=a: now isolated by the policy too.
  for (Pod& p : o.pods) {
    if (p.Key() == "x/b") p.labels = L({{"pod", "a"}});
  }
  ExpectAgreement(o, "after relabel");
  // Delete and recreate y/b with a new IP: still allowed into x/a from its new address.
  for (Pod& p : o.pods) {
    if (p.Key() == "y/b") p.ips = {*IpAddress::Parse("10.0.2.99")};
  }
  ASSERT_TRUE(lab_->MovePod("y/b", "10.0.2.99").ok());
  ExpectAgreement(o, "after y/b moved to 10.0.2.99");
}

TEST_F(LabTest, DownRemovesEverythingEvenAfterAnAbandonedRun) {
  Up(Cluster());
  EXPECT_EQ(ListNetns("ms-" + lab_name_ + "-").size(), 1u + 3u + 9u);
  // Simulate a crash: forget the Lab without stopping it cleanly, then sweep.
  lab_->Down();
  EXPECT_TRUE(ListNetns("ms-" + lab_name_ + "-").empty());
}

// examples/hybrid, loaded as `microseg lab up -f examples/hybrid` does:
// a load balancer VM and a database VM (each its own enforcement point,
// enforced in the input/output hooks), two app pods on a Kubernetes node,
// an unmanaged managed database and an unmanaged internet client.
TEST_F(LabTest, HybridExampleObservedEqualsModel) {
  const char* source_dir = std::getenv("MICROSEG_SOURCE_DIR");
  std::string dir = std::string(source_dir ? source_dir : ".") + "/examples/hybrid";
  auto loaded = LoadManifests({dir});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ObjectSet& objects = loaded->objects;
  Up(objects);
  const LabTopology& t = lab_->topology();
  EXPECT_TRUE(t.skipped.empty()) << t.skipped.front();
  EXPECT_EQ(t.pods.size(), 2u);
  EXPECT_EQ(t.workloads.size(), 4u);
  EXPECT_EQ(t.nodes.size(), 3u);  // k8s-node-1 and the hosts db-vm, lb-1
  // fabric + 3 enforcement points + 2 pods + 2 unmanaged workloads
  EXPECT_EQ(ListNetns("ms-" + lab_name_ + "-").size(), 8u);
  ASSERT_TRUE(lab_->WaitForAgents(milliseconds(10000))) << "agents did not sync";

  PolicyEngine engine;
  engine.Load(objects);
  int allows = 0, denies = 0;
  for (uint16_t port : {443, 8080, 5432}) {  // lb https, app http, postgres
    ProbeTable table = Probe(t, engine, Protocol::kTCP, port);
    EXPECT_FALSE(table.rows.empty()) << "nobody listens on " << port;
    EXPECT_TRUE(table.Disagreements().empty()) << table.ToText();
    for (const ProbeRow& r : table.rows) {
      allows += r.model == "allow";
      denies += r.model == "deny";
    }
  }
  // Non-vacuous: the tiers allow some flows and deny others.
  EXPECT_GT(allows, 0);
  EXPECT_GT(denies, 0);
  // The example's story, flow by flow (observed, so proven in the kernel).
  auto observed = [&](const std::string& from, const std::string& to, uint16_t port) {
    for (const ProbeRow& r : Probe(t, engine, Protocol::kTCP, port).rows) {
      if (r.from == from && r.to == to) return r.observed;
    }
    return std::string("no row");
  };
  EXPECT_EQ(observed("workload/internet-client", "workload/lb-1", 443), "allow");
  EXPECT_EQ(observed("workload/internet-client", "shop/app-1", 8080), "deny");
  EXPECT_EQ(observed("workload/lb-1", "shop/app-1", 8080), "allow");
  EXPECT_EQ(observed("workload/lb-1", "workload/db-vm", 5432), "deny");
  EXPECT_EQ(observed("shop/app-1", "workload/db-vm", 5432), "allow");
  EXPECT_EQ(observed("shop/app-2", "workload/managed-db", 5432), "allow");
  EXPECT_EQ(observed("shop/app-1", "workload/lb-1", 443), "deny");
  EXPECT_EQ(observed("workload/managed-db", "workload/db-vm", 5432), "deny");
}

}  // namespace
}  // namespace microseg::lab
