// A hostNetwork pod in the kernel: it lives in its node's namespace, is
// probed there, and an AdminNetworkPolicy `nodes:` peer allows traffic to it
// exactly as the model says (it is its node). Also SCTP where the kernel
// has none: those pairs are not observable, never "deny".
// Needs root and nftables (skips otherwise); takes the netns lock.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dataplane/nft/libnftables_executor.h"
#include "lab/lab.h"
#include "lab/load_wait.h"
#include "netns/netns.h"
#include "lab/probe.h"
#include "policy/test_builders.h"

namespace microseg::lab {
namespace {

using namespace microseg::testing;  // NOLINT

constexpr char kStateDir[] = "/tmp/microseg-lab-test";

ObjectSet Cluster() {
  ObjectSet o;
  for (const char* ns : {"x", "y", "sys"}) o.namespaces.push_back(Ns(ns, L({{"ns", ns}})));
  std::vector<ContainerPort> ports = {{"http", 80, Protocol::kTCP}, {"sctp", 80, Protocol::kSCTP}};
  Pod a = MakePod("x", "a", L({{"pod", "a"}}), "10.0.1.10", ports);
  a.node_name = "node-1";
  Pod b = MakePod("y", "b", L({{"pod", "b"}}), "10.0.2.10", ports);
  b.node_name = "node-2";
  // node-2's Node lists no address: the pod's is the node's all the same.
  Pod agent = MakePod("sys", "agent", L({{"app", "agent"}}), "192.168.50.2", ports);
  agent.node_name = "node-2";
  agent.host_network = true;
  o.pods = {a, b, agent};
  o.nodes.push_back(Node{"node-1", {}, {}});
  o.nodes.push_back(Node{"node-2", L({{"role", "worker"}}), {}});
  // x may reach worker nodes and nothing else.
  AdminPeer nodes;
  nodes.kind = AdminPeer::Kind::kNodes;
  nodes.node_selector = Sel({{"role", "worker"}});
  AdminPeer all;
  all.kind = AdminPeer::Kind::kNetworks;
  all.networks = {*Cidr::Parse("0.0.0.0/0")};
  o.admin_network_policies.push_back(
      Anp("x-to-nodes", 1, Sel({{"ns", "x"}}), {},
          {ARule("nodes", AdminAction::kAllow, {nodes}), ARule("rest", AdminAction::kDeny, {all})}));
  return o;
}

bool KernelHasSctp() {
  int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
  if (fd < 0) return false;
  close(fd);
  return true;
}

class LabHostNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    name_ = "h" + std::to_string(getpid() % 100000);
    ASSERT_TRUE(Sweep(name_, kStateDir).ok());
  }
  void TearDown() override {
    lab_.reset();
    if (name_.empty()) return;
    Sweep(name_, kStateDir);
    EXPECT_TRUE(ListNetns("ms-" + name_ + "-").empty());
  }
  std::string name_;
  std::unique_ptr<Lab> lab_;
};

TEST_F(LabHostNetworkTest, HostNetworkPodIsProbedAsItsNode) {
  ObjectSet objects = Cluster();
  LabOptions o;
  o.name = name_;
  o.state_dir = kStateDir;
  o.agent_poll = std::chrono::milliseconds(50);
  auto lab = Lab::Up(objects, o);
  ASSERT_TRUE(lab.ok()) << lab.status().message();
  lab_ = std::move(*lab);
  const LabTopology& t = lab_->topology();
  EXPECT_TRUE(t.skipped.empty()) << t.skipped.front();
  const LabNode* node = t.FindNode("node-2");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->ips, std::vector<std::string>{"192.168.50.2"});
  lab_->SetObjects(objects);
  ASSERT_TRUE(lab_->WaitForAgents(LoadScaledWait(std::chrono::seconds(10))));

  PolicyEngine engine;
  engine.Load(objects);
  ProbeTable tcp = Probe(t, engine, Protocol::kTCP, 80);
  EXPECT_TRUE(tcp.Disagreements().empty()) << tcp.ToText();
  auto row = [&](const ProbeTable& table, const std::string& from, const std::string& to) {
    for (const ProbeRow& r : table.rows) {
      if (r.from == from && r.to == to) return r;
    }
    return ProbeRow{from, to, "no row", "no row"};
  };
  // The nodes: peer lets x/a reach the hostNetwork pod; the rest is denied.
  EXPECT_EQ(row(tcp, "x/a", "sys/agent").observed, "allow") << tcp.ToText();
  EXPECT_EQ(row(tcp, "x/a", "sys/agent").model, "allow");
  EXPECT_EQ(row(tcp, "x/a", "y/b").observed, "deny");
  EXPECT_EQ(row(tcp, "sys/agent", "x/a").observed, "allow");
  EXPECT_EQ(row(tcp, "y/b", "sys/agent").observed, "allow");

  ProbeTable sctp = Probe(t, engine, Protocol::kSCTP, 80);
  EXPECT_TRUE(sctp.Disagreements().empty()) << sctp.ToText();
  if (!KernelHasSctp()) {
    ASSERT_FALSE(sctp.rows.empty());
    EXPECT_EQ(sctp.NotObservable(), sctp.rows.size()) << sctp.ToText();
    EXPECT_EQ(row(sctp, "x/a", "y/b").observed, kNotObservable);
  }
}

}  // namespace
}  // namespace microseg::lab
