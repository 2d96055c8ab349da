// Native kinds: Workloads, Nodes, IPLists, Services as segments, Rulesets
// in the three tiers, and EnforcementMode.
#include <gtest/gtest.h>

#include "policy/policy_engine.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;  // NOLINT

Workload MakeWorkload(std::string name, Labels labels, std::string ip, bool unmanaged = false) {
  Workload w;
  w.name = std::move(name);
  w.labels = std::move(labels);
  w.ips = {*IpAddress::Parse(ip)};
  w.unmanaged = unmanaged;
  if (!unmanaged) w.host = w.name;
  return w;
}

RulesetPeer SelectorPeer(LabelSelector s) {
  RulesetPeer p;
  p.kind = RulesetPeer::Kind::kSelector;
  p.selector = std::move(s);
  return p;
}

RulesetPeer IpListPeer(std::string name) {
  RulesetPeer p;
  p.kind = RulesetPeer::Kind::kIpList;
  p.ip_list = std::move(name);
  return p;
}

RulesetPeer ServicePeer(std::string ns, std::string name) {
  RulesetPeer p;
  p.kind = RulesetPeer::Kind::kService;
  p.service_namespace = std::move(ns);
  p.service_name = std::move(name);
  return p;
}

RulesetPeer AnyPeer() {
  RulesetPeer p;
  p.kind = RulesetPeer::Kind::kAny;
  return p;
}

Ruleset MakeRuleset(std::string name, RulesetTier tier, int priority, LabelSelector scope,
                    std::vector<RulesetRule> ingress, std::vector<RulesetRule> egress = {}) {
  Ruleset rs;
  rs.name = std::move(name);
  rs.tier = tier;
  rs.priority = priority;
  rs.scope.selector = std::move(scope);
  rs.ingress = std::move(ingress);
  rs.egress = std::move(egress);
  return rs;
}

EnforcementMode MakeMode(std::string name, LabelSelector scope, Mode mode) {
  EnforcementMode m;
  m.name = std::move(name);
  m.scope.selector = std::move(scope);
  m.mode = mode;
  return m;
}

class NativeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.Upsert(Ns("shop", L({{"env", "prod"}})));
    engine_.Upsert(MakePod("shop", "web-1", L({{"role", "web"}}), "10.1.0.1",
                           {{"http", 8080, Protocol::kTCP}}));
    engine_.Upsert(MakePod("shop", "app-1", L({{"role", "app"}}), "10.1.0.2"));
    engine_.Upsert(MakeWorkload("db-vm", L({{"role", "db"}}), "10.2.0.10"));
    engine_.Upsert(MakeWorkload("rds", L({{"role", "managed-db"}}), "10.3.0.10", true));
    IpList internet;
    internet.name = "internet";
    internet.cidrs = {*Cidr::Parse("0.0.0.0/0")};
    internet.except = {*Cidr::Parse("10.0.0.0/8")};
    engine_.Upsert(internet);
  }

  Endpoint E(const std::string& spec) {
    auto e = engine_.Resolve(spec);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? *e : Endpoint{};
  }
  Verdict V(const std::string& from, const std::string& to, uint16_t port = 5432) {
    return engine_.Check(E(from), E(to), Protocol::kTCP, port);
  }

  PolicyEngine engine_;
};

TEST_F(NativeTest, WorkloadsWithoutPolicyOrModeAreUnenforced) {
  Verdict v = V("shop/app-1", "workload/db-vm");
  EXPECT_TRUE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kUnenforced);
}

TEST_F(NativeTest, EnforcedWorkloadIsDefaultDeny) {
  engine_.Upsert(MakeMode("dbs", Sel({{"role", "db"}}), Mode::kEnforced));
  Verdict v = V("shop/app-1", "workload/db-vm");
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.Name(), "deny");
  EXPECT_EQ(v.ingress.tier, Tier::kDefault);
  RulesetRule allow{"app-to-db", RuleAction::kAllow, {SelectorPeer(Sel({{"role", "app"}}))},
                    {PortMatch::Range(Protocol::kTCP, 5432, 5432)}};
  engine_.Upsert(MakeRuleset("db", RulesetTier::kApplication, 100, Sel({{"role", "db"}}), {allow}));
  EXPECT_TRUE(V("shop/app-1", "workload/db-vm").allowed());
  EXPECT_FALSE(V("shop/app-1", "workload/db-vm", 22).allowed());
  EXPECT_FALSE(V("shop/web-1", "workload/db-vm").allowed());
}

TEST_F(NativeTest, VisibilityModeReportsWouldDeny) {
  engine_.Upsert(MakeMode("dbs", Sel({{"role", "db"}}), Mode::kVisibility));
  Verdict v = V("shop/web-1", "workload/db-vm");
  EXPECT_FALSE(v.allowed());
  EXPECT_TRUE(v.would_deny());
  EXPECT_EQ(v.Name(), "would-deny");
  EXPECT_EQ(v.ingress.mode, Mode::kVisibility);
  // A broad enforced mode beside a narrow visibility one: visibility wins.
  engine_.Upsert(MakeMode("all", LabelSelector(), Mode::kEnforced));
  EXPECT_EQ(V("shop/web-1", "workload/db-vm").Name(), "would-deny");
}

TEST_F(NativeTest, UnmanagedWorkloadIsOnlyAPeer) {
  engine_.Upsert(MakeMode("all", LabelSelector(), Mode::kEnforced));
  Verdict v = V("shop/app-1", "workload/rds");
  EXPECT_TRUE(v.ingress.allowed);
  EXPECT_EQ(v.ingress.tier, Tier::kUnenforced);
}

TEST_F(NativeTest, AdminDenyBeatsNamespacedNetworkPolicyAllow) {
  engine_.Upsert(Np("shop", "allow-all", LabelSelector(), {{{}, {}}}));
  RulesetRule deny{"block-internet", RuleAction::kDeny, {IpListPeer("internet")}, {}};
  engine_.Upsert(MakeRuleset("edge", RulesetTier::kAdmin, 10, LabelSelector(), {deny}));
  Verdict v = V("203.0.113.9", "shop/app-1", 80);
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kAdmin);
  EXPECT_EQ(v.ingress.policy_kind, "Ruleset");
  EXPECT_EQ(v.ingress.rule, "block-internet");
  EXPECT_TRUE(V("10.9.9.9", "shop/app-1", 80).allowed()) << "10/8 is excepted from internet";
}

TEST_F(NativeTest, AdminTierOrdersAnpAndRulesetsByPriority) {
  RulesetRule allow{"allow", RuleAction::kAllow, {AnyPeer()}, {}};
  engine_.Upsert(MakeRuleset("early-allow", RulesetTier::kAdmin, 5, Sel({{"role", "app"}}), {allow}));
  engine_.Upsert(Anp("deny", 10, LabelSelector(),
                     {ARule("deny-all", AdminAction::kDeny, {AdminNamespaces(LabelSelector())})}));
  EXPECT_TRUE(V("shop/web-1", "shop/app-1").allowed());
  EXPECT_EQ(V("shop/web-1", "shop/app-1").ingress.policy, "early-allow");
  EXPECT_FALSE(V("shop/app-1", "shop/web-1").allowed());
}

TEST_F(NativeTest, ApplicationDenyBeatsApplicationAllow) {
  engine_.Upsert(Np("shop", "allow-all", LabelSelector(), {{{}, {}}}));
  RulesetRule deny{"no-web", RuleAction::kDeny, {SelectorPeer(Sel({{"role", "web"}}))}, {}};
  engine_.Upsert(MakeRuleset("app-deny", RulesetTier::kApplication, 100, Sel({{"role", "app"}}), {deny}));
  EXPECT_FALSE(V("shop/web-1", "shop/app-1", 80).allowed());
  EXPECT_TRUE(V("shop/app-1", "shop/app-1", 80).allowed());
}

TEST_F(NativeTest, BaselineRulesetAppliesWhenNothingElseDecides) {
  RulesetRule deny{"deny-internet", RuleAction::kDeny, {IpListPeer("internet")}, {}};
  engine_.Upsert(MakeRuleset("floor", RulesetTier::kBaseline, 100, LabelSelector(), {deny}));
  EXPECT_FALSE(V("198.51.100.1", "shop/web-1", 8080).allowed());
  EXPECT_EQ(V("198.51.100.1", "shop/web-1", 8080).ingress.tier, Tier::kBaseline);
  RulesetRule allow{"lb", RuleAction::kAllow, {AnyPeer()}, {PortMatch::Named(Protocol::kTCP, "http")}};
  engine_.Upsert(MakeRuleset("web", RulesetTier::kApplication, 100, Sel({{"role", "web"}}), {allow}));
  EXPECT_TRUE(V("198.51.100.1", "shop/web-1", 8080).allowed());
  EXPECT_FALSE(V("198.51.100.1", "shop/web-1", 22).allowed()) << "isolated by the allow-list";
}

TEST_F(NativeTest, ServiceAsASegmentFollowsItsBackends) {
  Service svc;
  svc.namespace_name = "shop";
  svc.name = "app";
  svc.selector = Sel({{"role", "app"}});
  engine_.Upsert(svc);
  engine_.Upsert(MakeMode("dbs", Sel({{"role", "db"}}), Mode::kEnforced));
  RulesetRule allow{"from-app-svc", RuleAction::kAllow, {ServicePeer("shop", "app")}, {}};
  engine_.Upsert(MakeRuleset("db", RulesetTier::kApplication, 100, Sel({{"role", "db"}}), {allow}));
  EXPECT_TRUE(V("shop/app-1", "workload/db-vm").allowed());
  EXPECT_FALSE(V("shop/web-1", "workload/db-vm").allowed());
  // A new backend joins; the old one leaves.
  engine_.Upsert(MakePod("shop", "app-2", L({{"role", "app"}}), "10.1.0.3"));
  engine_.DeletePod("shop", "app-1");
  EXPECT_TRUE(V("shop/app-2", "workload/db-vm").allowed());
  EXPECT_FALSE(V("10.1.0.2", "workload/db-vm").allowed()) << "the old backend's IP is no longer trusted";
}

TEST_F(NativeTest, NodesAreHostSegments) {
  Node n;
  n.name = "node-1";
  n.labels = L({{"role", "k8s-node"}});
  n.ips = {*IpAddress::Parse("192.168.0.1")};
  engine_.Upsert(n);
  engine_.Upsert(MakeMode("hosts", Sel({{"role", "k8s-node"}}), Mode::kEnforced));
  RulesetRule ssh{"ssh", RuleAction::kAllow, {AnyPeer()}, {PortMatch::Range(Protocol::kTCP, 22, 22)}};
  engine_.Upsert(MakeRuleset("hosts", RulesetTier::kApplication, 100, Sel({{"role", "k8s-node"}}), {ssh}));
  EXPECT_TRUE(V("10.9.9.9", "node/node-1", 22).allowed());
  EXPECT_FALSE(V("10.9.9.9", "node/node-1", 10250).allowed());
}

TEST_F(NativeTest, ScopeNamespaceSelectorAndKinds) {
  Ruleset rs = MakeRuleset("prod-pods", RulesetTier::kAdmin, 1, LabelSelector(),
                           {{"deny", RuleAction::kDeny, {AnyPeer()}, {}}});
  rs.scope.namespace_selector = Sel({{"env", "prod"}});
  engine_.Upsert(rs);
  EXPECT_FALSE(V("10.9.9.9", "shop/app-1").allowed());
  EXPECT_TRUE(V("10.9.9.9", "workload/db-vm").allowed()) << "a namespaceSelector scopes pods only";
  Ruleset vms = MakeRuleset("vms", RulesetTier::kAdmin, 1, LabelSelector(),
                            {{"deny", RuleAction::kDeny, {AnyPeer()}, {}}});
  vms.scope.kinds = {EndpointKind::kWorkload};
  engine_.Upsert(vms);
  EXPECT_FALSE(V("10.9.9.9", "workload/db-vm").allowed());
}

TEST_F(NativeTest, Ipv6WorkloadAndIpList) {
  engine_.Upsert(MakeWorkload("v6-vm", L({{"role", "db"}}), "fd00:2::10"));
  IpList corp;
  corp.name = "corp";
  corp.cidrs = {*Cidr::Parse("fd00:9::/48")};
  engine_.Upsert(corp);
  engine_.Upsert(MakeMode("dbs", Sel({{"role", "db"}}), Mode::kEnforced));
  engine_.Upsert(MakeRuleset("db", RulesetTier::kApplication, 100, Sel({{"role", "db"}}),
                             {{"corp", RuleAction::kAllow, {IpListPeer("corp")}, {}}}));
  EXPECT_TRUE(V("fd00:9::1", "workload/v6-vm").allowed());
  EXPECT_FALSE(V("fd00:8::1", "workload/v6-vm").allowed());
}

}  // namespace
}  // namespace microseg
