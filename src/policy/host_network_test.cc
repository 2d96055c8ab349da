// hostNetwork pods are their node (docs/SEMANTICS.md, "Nodes and
// hostNetwork pods"): naming the pod, its address or its node gives one
// verdict, node peers match it, and the dataplane's inputs (RulesFor peer
// sets, LocalEndpoints, SpanFor) carry its addresses as the node's.
#include <gtest/gtest.h>

#include <algorithm>

#include "policy/policy_engine.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;  // NOLINT

class HostNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.Upsert(Ns("x", L({{"ns", "x"}})));
    engine_.Upsert(Ns("sys", L({{"ns", "sys"}})));
    engine_.Upsert(MakePod("x", "a", L({{"pod", "a"}}), "10.0.0.1"));
    Node node;
    node.name = "node-1";
    node.labels = L({{"role", "worker"}});
    node.ips = {*IpAddress::Parse("192.168.0.10")};
    engine_.Upsert(node);
    // The usual case: the pod's IP is its node's.
    Pod agent = MakePod("sys", "agent", L({{"app", "agent"}}), "192.168.0.10");
    agent.host_network = true;
    engine_.Upsert(agent);
    // A second address of the node that only the hostNetwork pod reports.
    Pod extra = MakePod("sys", "extra", L({{"app", "agent"}}), "192.168.0.11");
    extra.host_network = true;
    engine_.Upsert(extra);
  }

  Endpoint E(const std::string& spec) {
    auto e = engine_.Resolve(spec);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? *e : Endpoint{};
  }
  Verdict V(const std::string& from, const std::string& to) {
    return engine_.Check(E(from), E(to), Protocol::kTCP, 80);
  }
  // An ANP selecting namespace x: egress to worker nodes `action`, then
  // deny everything else.
  void AdminEgressToNodes(AdminAction action) {
    AdminPeer nodes;
    nodes.kind = AdminPeer::Kind::kNodes;
    nodes.node_selector = Sel({{"role", "worker"}});
    AdminPeer all;
    all.kind = AdminPeer::Kind::kNetworks;
    all.networks = {*Cidr::Parse("0.0.0.0/0")};
    engine_.Upsert(Anp("to-nodes", 1, Sel({{"ns", "x"}}), {},
                       {ARule("nodes", action, {nodes}), ARule("rest", AdminAction::kDeny, {all})}));
  }

  PolicyEngine engine_;
};

TEST_F(HostNetworkTest, ResolvesToItsNode) {
  Endpoint e = E("sys/agent");
  EXPECT_EQ(e.kind, EndpointKind::kNode);
  EXPECT_EQ(e.DisplayName(), "node/node-1");
  EXPECT_EQ(e.identity, E("node/node-1").identity);
  Endpoint extra = E("sys/extra");
  EXPECT_EQ(extra.kind, EndpointKind::kNode);
  EXPECT_EQ(extra.ip.ToString(), "192.168.0.11");
  Endpoint by_ip = E("192.168.0.11");
  EXPECT_EQ(by_ip.kind, EndpointKind::kNode) << "an address only a hostNetwork pod reports";
  EXPECT_EQ(by_ip.name, "node-1");
}

TEST_F(HostNetworkTest, AdminNodesPeerAllowsItAsItsNode) {
  AdminEgressToNodes(AdminAction::kAllow);
  for (const char* to : {"sys/agent", "sys/extra", "192.168.0.10", "192.168.0.11", "node/node-1"}) {
    Verdict v = V("x/a", to);
    EXPECT_TRUE(v.allowed()) << to << ": " << v.egress.reason;
    EXPECT_EQ(v.egress.rule, "nodes") << to;
  }
  EXPECT_FALSE(V("x/a", "8.8.8.8").allowed());
}

TEST_F(HostNetworkTest, RulesetNodePeersAndScopeCoverIt) {
  // A native Ruleset selecting the node (host segment) applies to traffic
  // to its hostNetwork pods, and its node peers match them as sources.
  RulesetPeer workers;
  workers.selector = Sel({{"role", "worker"}});
  Ruleset rs;
  rs.name = "host";
  rs.scope.selector = Sel({{"role", "worker"}});
  RulesetPeer any;
  any.kind = RulesetPeer::Kind::kAny;
  rs.ingress = {RulesetRule{"from-workers", RuleAction::kAllow, {workers}, {}}};
  rs.egress = {RulesetRule{"out", RuleAction::kAllow, {any}, {}}};
  engine_.Upsert(rs);
  EnforcementMode mode;
  mode.name = "hosts";
  mode.scope.selector = Sel({{"role", "worker"}});
  engine_.Upsert(mode);
  Verdict from_pod = V("x/a", "sys/agent");
  EXPECT_FALSE(from_pod.allowed()) << "the node is default-deny under its EnforcementMode";
  EXPECT_EQ(from_pod.ingress.reason, V("x/a", "192.168.0.10").ingress.reason);
  Verdict from_node = V("sys/extra", "sys/agent");
  EXPECT_TRUE(from_node.allowed()) << from_node.ingress.reason;
  EXPECT_EQ(from_node.ingress.rule, "from-workers");
}

TEST_F(HostNetworkTest, DataplaneInputsCarryItsAddressesAsTheNodes) {
  AdminEgressToNodes(AdminAction::kAllow);
  PolicyEngine::DirectionRules rules = engine_.RulesFor(E("x/a"), Direction::kEgress);
  ASSERT_FALSE(rules.rules.empty());
  std::vector<std::string> peers;
  for (const Endpoint& e : rules.rules.front().peers.endpoints) peers.push_back(e.ip.ToString());
  std::sort(peers.begin(), peers.end());
  EXPECT_EQ(peers, (std::vector<std::string>{"192.168.0.10", "192.168.0.11"}));

  std::vector<std::string> local;
  for (const Endpoint& e : engine_.LocalEndpoints("node-1")) {
    local.push_back(e.DisplayName() + "@" + e.ip.ToString());
  }
  EXPECT_EQ(local, (std::vector<std::string>{"x/a@10.0.0.1", "node/node-1@192.168.0.10",
                                             "node/node-1@192.168.0.11"}));

  // An agent loaded with the span knows the node's every address.
  PolicyEngine agent;
  agent.Load(engine_.SpanFor("node-1"));
  EXPECT_EQ(agent.LocalEndpoints("node-1").size(), 3u);
  EXPECT_EQ(agent.Resolve("192.168.0.11")->kind, EndpointKind::kNode);
}

TEST_F(HostNetworkTest, DeleteReturnsTheAddress) {
  ASSERT_TRUE(engine_.DeletePod("sys", "extra"));
  EXPECT_EQ(E("192.168.0.11").kind, EndpointKind::kExternal);
  EXPECT_EQ(engine_.LocalEndpoints("node-1").size(), 2u);
  EXPECT_EQ(E("sys/agent").kind, EndpointKind::kNode);
}

TEST_F(HostNetworkTest, WithoutANodeObjectItIsAnUnlabelledNode) {
  Pod orphan = MakePod("sys", "orphan", L({}), "192.168.7.7");
  orphan.host_network = true;
  orphan.node_name = "node-9";
  engine_.Upsert(orphan);
  Endpoint e = E("sys/orphan");
  EXPECT_EQ(e.DisplayName(), "node/node-9");
  EXPECT_EQ(E("node/node-9").ip.ToString(), "192.168.7.7");
  AdminEgressToNodes(AdminAction::kAllow);
  Verdict v = V("x/a", "sys/orphan");
  EXPECT_FALSE(v.allowed()) << "no labels: the worker nodes peer does not match it";
  EXPECT_EQ(v.egress.rule, "rest");
  EXPECT_EQ(v.ingress.reason, "node/node-9 has no Node object: no policy selects it");
}

}  // namespace
}  // namespace microseg
