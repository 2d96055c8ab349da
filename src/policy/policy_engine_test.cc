// One test per rule of docs/SEMANTICS.md, on objects built in code.
#include "policy/policy_engine.h"

#include <gtest/gtest.h>

#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;  // NOLINT

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* ns : {"x", "y", "z"}) {
      engine_.Upsert(Ns(ns, L({{"ns", ns}})));
    }
    int i = 1;
    for (const char* ns : {"x", "y", "z"}) {
      for (const char* pod : {"a", "b", "c"}) {
        engine_.Upsert(MakePod(ns, pod, L({{"pod", pod}}), "10.0.0." + std::to_string(i++),
                               {{"serve-80-tcp", 80, Protocol::kTCP},
                                {"serve-81-udp", 81, Protocol::kUDP}}));
      }
    }
  }

  Endpoint E(const std::string& spec) {
    auto e = engine_.Resolve(spec);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? *e : Endpoint{};
  }
  Verdict V(const std::string& from, const std::string& to, uint16_t port = 80,
            Protocol p = Protocol::kTCP) {
    return engine_.Check(E(from), E(to), p, port);
  }
  bool Allowed(const std::string& from, const std::string& to, uint16_t port = 80,
               Protocol p = Protocol::kTCP) {
    return V(from, to, port, p).allowed();
  }

  PolicyEngine engine_;
};

TEST_F(EngineTest, NoPolicyAllowsEverything) {
  Verdict v = V("x/a", "y/b");
  EXPECT_TRUE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kDefault);
  EXPECT_EQ(v.ingress.reason, "no policy selects y/b for ingress");
}

TEST_F(EngineTest, EmptyIngressIsolatesSelectedPods) {
  engine_.Upsert(Np("x", "deny-all", LabelSelector(), {}));
  Verdict v = V("y/a", "x/a");
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kApplication);
  EXPECT_EQ(v.ingress.reason,
            "x/a is isolated for ingress by NetworkPolicy x/deny-all and no rule allows this flow");
  EXPECT_TRUE(Allowed("x/a", "y/a")) << "egress is not isolated";
  EXPECT_TRUE(Allowed("x/a", "y/b"));
}

TEST_F(EngineTest, PodSelectorWithoutNamespaceSelectorMeansOwnNamespace) {
  engine_.Upsert(Np("x", "from-b", Sel({{"pod", "a"}}), {{{}, {PodPeer(Sel({{"pod", "b"}}))}}}));
  EXPECT_TRUE(Allowed("x/b", "x/a"));
  EXPECT_FALSE(Allowed("y/b", "x/a"));
  EXPECT_FALSE(Allowed("x/c", "x/a"));
  EXPECT_TRUE(Allowed("y/c", "x/b")) << "x/b is not selected";
}

TEST_F(EngineTest, NamespaceAndPodSelectorInOnePeerAreAnded) {
  NetworkPolicyPeer both = NsPeer(Sel({{"ns", "y"}}));
  both.pod_selector = Sel({{"pod", "b"}});
  engine_.Upsert(Np("x", "and", Sel({{"pod", "a"}}), {{{}, {both}}}));
  EXPECT_TRUE(Allowed("y/b", "x/a"));
  EXPECT_FALSE(Allowed("y/a", "x/a"));
  EXPECT_FALSE(Allowed("x/b", "x/a"));
}

TEST_F(EngineTest, SeparatePeersAreOred) {
  engine_.Upsert(Np("x", "or", Sel({{"pod", "a"}}),
                    {{{}, {NsPeer(Sel({{"ns", "y"}})), PodPeer(Sel({{"pod", "b"}}))}}}));
  EXPECT_TRUE(Allowed("y/a", "x/a"));
  EXPECT_TRUE(Allowed("x/b", "x/a"));
  EXPECT_FALSE(Allowed("z/b", "x/a"));
}

TEST_F(EngineTest, EmptyNamespaceSelectorMeansAllNamespaces) {
  engine_.Upsert(Np("x", "all-ns", Sel({{"pod", "a"}}), {{{}, {NsPeer(LabelSelector())}}}));
  EXPECT_TRUE(Allowed("z/c", "x/a"));
  EXPECT_FALSE(Allowed("10.9.9.9", "x/a")) << "namespaceSelector {} matches pods only";
}

TEST_F(EngineTest, MatchExpressions) {
  LabelSelector s;
  s.AddRequirement({"pod", LabelRequirement::Op::kNotIn, {"b", "c"}});
  engine_.Upsert(Np("x", "notin", Sel({{"pod", "a"}}), {{{}, {PodPeer(s)}}}));
  EXPECT_TRUE(Allowed("x/a", "x/a"));
  EXPECT_FALSE(Allowed("x/b", "x/a"));
}

TEST_F(EngineTest, IpBlockWithExceptMatchesPodAndExternalAddresses) {
  engine_.Upsert(Np("x", "cidr", Sel({{"pod", "a"}}),
                    {{{}, {BlockPeer("10.0.0.0/24", {"10.0.0.4/30"})}}}));
  EXPECT_TRUE(Allowed("x/b", "x/a"));     // 10.0.0.2
  EXPECT_FALSE(Allowed("y/a", "x/a"));    // 10.0.0.4: excepted
  EXPECT_FALSE(Allowed("y/c", "x/a"));    // 10.0.0.6: excepted
  EXPECT_FALSE(Allowed("z/a", "x/a"));    // 10.0.0.7: excepted
  EXPECT_TRUE(Allowed("z/b", "x/a"));     // 10.0.0.8
  EXPECT_TRUE(Allowed("10.0.0.200", "x/a"));
  EXPECT_FALSE(Allowed("192.168.1.1", "x/a"));
}

TEST_F(EngineTest, PortsNumberRangeNamedAndProtocol) {
  NetworkPolicyRule rule;
  rule.ports = {PortMatch::Range(Protocol::kTCP, 8000, 8080), PortMatch::Named(Protocol::kUDP, "serve-81-udp"),
                PortMatch::All(Protocol::kSCTP)};
  engine_.Upsert(Np("x", "ports", Sel({{"pod", "a"}}), {rule}));
  EXPECT_TRUE(Allowed("y/a", "x/a", 8000));
  EXPECT_TRUE(Allowed("y/a", "x/a", 8080));
  EXPECT_FALSE(Allowed("y/a", "x/a", 8081));
  EXPECT_FALSE(Allowed("y/a", "x/a", 80));
  EXPECT_TRUE(Allowed("y/a", "x/a", 81, Protocol::kUDP));
  EXPECT_FALSE(Allowed("y/a", "x/a", 81, Protocol::kTCP));
  EXPECT_FALSE(Allowed("y/a", "x/a", 80, Protocol::kUDP));
  EXPECT_TRUE(Allowed("y/a", "x/a", 9999, Protocol::kSCTP));
}

TEST_F(EngineTest, NamedPortInEgressResolvesAgainstTheDestination) {
  NetworkPolicyRule rule;
  rule.ports = {PortMatch::Named(Protocol::kTCP, "serve-80-tcp")};
  engine_.Upsert(Np("x", "egress", Sel({{"pod", "a"}}), {}, std::vector{rule}));
  engine_.DeleteNetworkPolicy("x", "egress");
  NetworkPolicy np = Np("x", "egress", Sel({{"pod", "a"}}), {}, std::vector{rule});
  np.affects_ingress = false;
  engine_.Upsert(np);
  EXPECT_TRUE(Allowed("x/a", "y/b", 80));
  EXPECT_FALSE(Allowed("x/a", "y/b", 81));
  EXPECT_FALSE(Allowed("x/a", "8.8.8.8", 80)) << "an external address has no named ports";
  EXPECT_TRUE(Allowed("y/b", "x/a", 81)) << "ingress not affected";
}

TEST_F(EngineTest, MultiplePoliciesAreAUnion) {
  engine_.Upsert(Np("x", "p1", Sel({{"pod", "a"}}), {{{}, {PodPeer(Sel({{"pod", "b"}}))}}}));
  engine_.Upsert(Np("x", "p2", LabelSelector(), {{{}, {PodPeer(Sel({{"pod", "c"}}))}}}));
  EXPECT_TRUE(Allowed("x/b", "x/a"));
  EXPECT_TRUE(Allowed("x/c", "x/a"));
  EXPECT_FALSE(Allowed("x/a", "x/a"));
  EXPECT_FALSE(Allowed("x/b", "x/b"));
}

TEST_F(EngineTest, EgressIsolationNeedsBothDirections) {
  NetworkPolicy np = Np("x", "egress-to-y", Sel({{"pod", "a"}}), {}, std::vector<NetworkPolicyRule>{
      {{}, {NsPeer(Sel({{"ns", "y"}}))}}});
  np.affects_ingress = false;
  engine_.Upsert(np);
  engine_.Upsert(Np("y", "deny-b", Sel({{"pod", "b"}}), {}));
  EXPECT_TRUE(Allowed("x/a", "y/a"));
  EXPECT_FALSE(Allowed("x/a", "z/a"));
  Verdict v = V("x/a", "y/b");
  EXPECT_TRUE(v.egress.allowed);
  EXPECT_FALSE(v.ingress.allowed);
  EXPECT_FALSE(v.allowed());
}

TEST_F(EngineTest, AdminDenyOverridesNetworkPolicyAllow) {
  engine_.Upsert(Np("x", "allow-all", LabelSelector(), {{{}, {}}}));
  engine_.Upsert(Anp("deny-from-y", 10, Sel({{"ns", "x"}}),
                     {ARule("no-y", AdminAction::kDeny, {AdminNamespaces(Sel({{"ns", "y"}}))})}));
  Verdict v = V("y/a", "x/a");
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kAdmin);
  EXPECT_EQ(v.ingress.policy, "deny-from-y");
  EXPECT_EQ(v.ingress.rule, "no-y");
  EXPECT_TRUE(Allowed("z/a", "x/a"));
}

TEST_F(EngineTest, AdminAllowOverridesNetworkPolicyDeny) {
  engine_.Upsert(Np("x", "deny-all", LabelSelector(), {}));
  engine_.Upsert(Anp("allow-z", 10, Sel({{"ns", "x"}}),
                     {ARule("z", AdminAction::kAllow, {AdminNamespaces(Sel({{"ns", "z"}}))})}));
  EXPECT_TRUE(Allowed("z/b", "x/a"));
  EXPECT_FALSE(Allowed("y/b", "x/a"));
}

TEST_F(EngineTest, PriorityOrderAndFirstRuleWins) {
  engine_.Upsert(Anp("low", 20, Sel({{"ns", "x"}}),
                     {ARule("allow-y", AdminAction::kAllow, {AdminNamespaces(Sel({{"ns", "y"}}))})}));
  engine_.Upsert(Anp("high", 5, Sel({{"ns", "x"}}),
                     {ARule("deny-ya", AdminAction::kDeny, {AdminPods(Sel({{"ns", "y"}}), Sel({{"pod", "a"}}))}),
                      ARule("allow-all-y", AdminAction::kAllow, {AdminNamespaces(Sel({{"ns", "y"}}))}),
                      ARule("deny-y", AdminAction::kDeny, {AdminNamespaces(Sel({{"ns", "y"}}))})}));
  EXPECT_FALSE(Allowed("y/a", "x/a"));
  Verdict v = V("y/b", "x/a");
  EXPECT_TRUE(v.allowed());
  EXPECT_EQ(v.ingress.policy, "high");
  EXPECT_EQ(v.ingress.rule, "allow-all-y");
}

TEST_F(EngineTest, PassHandsTheDecisionToNetworkPolicyThenBaseline) {
  engine_.Upsert(Anp("pass-y", 1, Sel({{"ns", "x"}}),
                     {ARule("pass", AdminAction::kPass, {AdminNamespaces(Sel({{"ns", "y"}}))})}));
  engine_.Upsert(Anp("deny-y", 2, Sel({{"ns", "x"}}),
                     {ARule("deny", AdminAction::kDeny, {AdminNamespaces(Sel({{"ns", "y"}}))})}));
  AdminNetworkPolicy banp = Anp("default", 0, LabelSelector(),
                                {ARule("deny-y", AdminAction::kDeny, {AdminNamespaces(Sel({{"ns", "y"}}))})});
  banp.baseline = true;
  engine_.Upsert(banp);
  // Pass skips the lower-priority ANP deny; no NetworkPolicy: BANP denies.
  Verdict v = V("y/a", "x/a");
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kBaseline);
  // A NetworkPolicy allow now decides before the baseline.
  engine_.Upsert(Np("x", "allow-y", LabelSelector(), {{{}, {NsPeer(Sel({{"ns", "y"}}))}}}));
  v = V("y/a", "x/a");
  EXPECT_TRUE(v.allowed());
  EXPECT_EQ(v.ingress.tier, Tier::kApplication);
}

TEST_F(EngineTest, BaselineAppliesOnlyWhenNoNetworkPolicySelects) {
  AdminNetworkPolicy banp = Anp("default", 0, LabelSelector(),
                                {ARule("deny-all", AdminAction::kDeny, {AdminNamespaces(LabelSelector())})});
  banp.baseline = true;
  engine_.Upsert(banp);
  EXPECT_FALSE(Allowed("y/a", "x/a"));
  engine_.Upsert(Np("x", "allow-y-to-a", Sel({{"pod", "a"}}), {{{}, {NsPeer(Sel({{"ns", "y"}}))}}}));
  EXPECT_TRUE(Allowed("y/a", "x/a"));
  EXPECT_FALSE(Allowed("z/a", "x/a")) << "isolated by the NetworkPolicy, not the BANP";
  EXPECT_EQ(V("z/a", "x/a").ingress.tier, Tier::kApplication);
}

TEST_F(EngineTest, AdminEgressToNodesAndNetworks) {
  Node node;
  node.name = "node-1";
  node.labels = L({{"role", "worker"}});
  node.ips = {*IpAddress::Parse("192.168.0.10")};
  engine_.Upsert(node);
  AdminPeer nodes;
  nodes.kind = AdminPeer::Kind::kNodes;
  nodes.node_selector = Sel({{"role", "worker"}});
  AdminPeer nets;
  nets.kind = AdminPeer::Kind::kNetworks;
  nets.networks = {*Cidr::Parse("8.8.8.0/24")};
  engine_.Upsert(Anp("egress", 1, Sel({{"ns", "x"}}), {},
                     {ARule("nodes", AdminAction::kDeny, {nodes}),
                      ARule("dns", AdminAction::kDeny, {nets}, std::vector{PortMatch::Range(Protocol::kUDP, 53, 53)})}));
  EXPECT_FALSE(Allowed("x/a", "node/node-1"));
  EXPECT_FALSE(Allowed("x/a", "192.168.0.10")) << "the node's IP resolves to the node";
  EXPECT_FALSE(Allowed("x/a", "8.8.8.8", 53, Protocol::kUDP));
  EXPECT_TRUE(Allowed("x/a", "8.8.8.8", 53, Protocol::kTCP));
  EXPECT_TRUE(Allowed("y/a", "node/node-1"));
}

TEST_F(EngineTest, AdminNamedPortMatchesAnyProtocolOfThatName) {
  engine_.Upsert(Anp("named", 1, Sel({{"ns", "x"}}),
                     {ARule("udp81", AdminAction::kDeny, {AdminNamespaces(LabelSelector())},
                            std::vector{PortMatch::Named(Protocol::kTCP, "serve-81-udp")})}));
  EXPECT_FALSE(Allowed("y/a", "x/a", 81, Protocol::kUDP));
  EXPECT_TRUE(Allowed("y/a", "x/a", 81, Protocol::kTCP));
}

TEST_F(EngineTest, HostNetworkPodsAreNotSelectedNorMatched) {
  Pod host = MakePod("x", "h", L({{"pod", "a"}}), "192.168.0.10");
  host.host_network = true;
  engine_.Upsert(host);
  engine_.Upsert(Np("x", "deny-all", LabelSelector(), {}));
  EXPECT_EQ(V("y/a", "x/h").ingress.tier, Tier::kUnenforced);
  engine_.Upsert(Np("y", "from-x", LabelSelector(), {{{}, {NsPeer(Sel({{"ns", "x"}}))}}}));
  EXPECT_TRUE(Allowed("x/b", "y/a"));
  EXPECT_FALSE(Allowed("x/h", "y/a"));
}

TEST_F(EngineTest, FinishedPodsHoldNoIpAndTheirIpGoesToTheNewOwner) {
  Pod done = MakePod("x", "job", L({{"pod", "a"}}), "10.0.0.50");
  done.phase = "Succeeded";
  engine_.Upsert(done);
  EXPECT_FALSE(engine_.Resolve("x/job").ok());
  EXPECT_EQ(E("10.0.0.50").kind, EndpointKind::kExternal);
  // A new pod takes the address; a late delete of the old pod keeps it.
  engine_.Upsert(MakePod("y", "new", L({{"pod", "new"}}), "10.0.0.50"));
  EXPECT_EQ(E("10.0.0.50").name, "y/new");
  engine_.DeletePod("x", "job");
  EXPECT_EQ(E("10.0.0.50").name, "y/new");
}

TEST_F(EngineTest, IpReuseIsKeyedByOwner) {
  engine_.Upsert(Np("x", "from-b", Sel({{"pod", "a"}}), {{{}, {PodPeer(Sel({{"pod", "b"}}))}}}));
  // x/b is replaced by a pod of another app that reuses its IP before the
  // old pod's delete arrives.
  engine_.Upsert(MakePod("x", "intruder", L({{"pod", "evil"}}), "10.0.0.2"));
  EXPECT_FALSE(Allowed("10.0.0.2", "x/a"));
  engine_.DeletePod("x", "b");
  EXPECT_FALSE(Allowed("10.0.0.2", "x/a"));
  EXPECT_EQ(E("10.0.0.2").name, "x/intruder");
}

TEST_F(EngineTest, RelabelAndNamespaceChangesAreSeen) {
  engine_.Upsert(Np("x", "from-y", Sel({{"pod", "a"}}), {{{}, {NsPeer(Sel({{"team", "blue"}}))}}}));
  EXPECT_FALSE(Allowed("y/a", "x/a"));
  engine_.Upsert(Ns("y", L({{"ns", "y"}, {"team", "blue"}})));
  EXPECT_TRUE(Allowed("y/a", "x/a"));
  Pod relabeled = MakePod("x", "a", L({{"pod", "other"}}), "10.0.0.1");
  engine_.Upsert(relabeled);
  EXPECT_TRUE(Allowed("z/a", "x/a")) << "x/a no longer selected";
}

TEST_F(EngineTest, PeerNamespaceLabelsFollowNamespaceCreateAndDelete) {
  // Peer matching caches each identity's namespace labels: every change of
  // the Namespace object must reach the cache.
  engine_.Upsert(MakePod("w", "a", L({{"pod", "a"}}), "10.0.1.1"));
  engine_.Upsert(Np("x", "deny-all", LabelSelector(), {}));
  AdminPeer blue = AdminNamespaces(Sel({{"team", "blue"}}));
  engine_.Upsert(Anp("blue", 10, Sel({{"ns", "x"}}), {ARule("b", AdminAction::kAllow, {blue})}));
  EXPECT_FALSE(Allowed("w/a", "x/a")) << "w has only its implicit name label";
  engine_.Upsert(Ns("w", L({{"team", "blue"}})));
  EXPECT_TRUE(Allowed("w/a", "x/a"));
  EXPECT_TRUE(engine_.DeleteNamespace("w"));
  EXPECT_FALSE(Allowed("w/a", "x/a"));
  engine_.Upsert(Ns("w", L({{"team", "blue"}})));
  EXPECT_TRUE(Allowed("w/a", "x/a"));
}

TEST_F(EngineTest, IsolationReasonNamesEveryIsolatingPolicy) {
  engine_.Upsert(Np("x", "deny-all", LabelSelector(), {}));
  engine_.Upsert(Np("x", "from-b", Sel({{"pod", "a"}}), {{{}, {PodPeer(Sel({{"pod", "b"}}))}}}));
  Verdict v = V("x/c", "x/a");
  EXPECT_FALSE(v.allowed());
  EXPECT_EQ(v.ingress.reason,
            "x/a is isolated for ingress by NetworkPolicy x/deny-all, NetworkPolicy x/from-b and "
            "no rule allows this flow");
}

TEST_F(EngineTest, PodsInUndeclaredNamespacesGetTheNameLabel) {
  engine_.Upsert(MakePod("w", "a", L({{"pod", "a"}}), "10.0.1.1"));
  engine_.Upsert(Np("x", "from-w", Sel({{"pod", "a"}}),
                    {{{}, {NsPeer(Sel({{std::string(kNamespaceNameLabel), "w"}}))}}}));
  EXPECT_TRUE(Allowed("w/a", "x/a"));
  EXPECT_FALSE(Allowed("y/a", "x/a"));
}

TEST_F(EngineTest, Ipv6) {
  engine_.Upsert(MakePod("x", "v6", L({{"pod", "v6"}}), "fd00::1"));
  engine_.Upsert(Np("x", "v6-only", Sel({{"pod", "v6"}}), {{{}, {BlockPeer("fd00:1::/64")}}}));
  EXPECT_TRUE(Allowed("fd00:1::5", "x/v6"));
  EXPECT_FALSE(Allowed("fd00:2::5", "x/v6"));
  EXPECT_FALSE(Allowed("10.0.0.2", "x/v6"));
}

TEST_F(EngineTest, ResolveErrors) {
  EXPECT_EQ(engine_.Resolve("x/nope").status().message(), "no pod named \"x/nope\"");
  EXPECT_EQ(engine_.Resolve("node/n9").status().message(), "no node named \"n9\"");
  EXPECT_EQ(engine_.Resolve("nonsense").status().message(),
            "cannot resolve \"nonsense\": expected NAMESPACE/POD, node/NAME, workload/NAME or an "
            "IP address");
}

TEST_F(EngineTest, TraceListsEveryRuleConsidered) {
  engine_.Upsert(Np("x", "p1", Sel({{"pod", "a"}}), {{{}, {PodPeer(Sel({{"pod", "b"}}))}}}));
  Trace trace;
  engine_.Check(E("y/c"), E("x/a"), Protocol::kTCP, 80, &trace);
  ASSERT_EQ(trace.steps.size(), 1u);
  EXPECT_EQ(trace.steps[0].policy, "x/p1");
  EXPECT_EQ(trace.steps[0].rule, "ingress[0]");
  EXPECT_FALSE(trace.steps[0].matched);
  EXPECT_EQ(trace.steps[0].detail,
            "no peer matches: podSelector without namespaceSelector only selects pods of namespace x");
}

// A stale pod object and its successor claim one address (per-node IPAM):
// the later created owns it in Check, in the node's enforced endpoints and
// as a rule peer; the span still ships both, so the agent can fall back to
// the older claim when the newer one goes away.
TEST_F(EngineTest, OfTwoClaimsOnOneAddressTheLaterCreatedOwnsIt) {
  Pod stale = MakePod("y", "stale", L({{"pod", "stale"}}), "10.0.0.50");
  stale.created = "2026-12-01T10:00:00Z";
  Pod fresh = MakePod("y", "fresh", L({{"pod", "fresh"}}), "10.0.0.50");
  fresh.created = "2026-12-01T10:05:00Z";
  engine_.Upsert(fresh);
  engine_.Upsert(stale);  // seen last, but older
  NetworkPolicyPeer from_stale = NsPeer(Sel({{"ns", "y"}}));
  from_stale.pod_selector = Sel({{"pod", "stale"}});
  engine_.Upsert(Np("x", "from-stale", Sel({{"pod", "a"}}), {NetworkPolicyRule{{}, {from_stale}}}));
  EXPECT_EQ(E("10.0.0.50").name, "y/fresh");
  EXPECT_FALSE(Allowed("10.0.0.50", "x/a")) << "the stale pod's allowance is not the address's";
  std::vector<std::string> locals;
  for (const Endpoint& e : engine_.LocalEndpoints("node-1")) {
    if (e.ip == *IpAddress::Parse("10.0.0.50")) locals.push_back(e.name);
  }
  EXPECT_EQ(locals, (std::vector<std::string>{"y/fresh"}));
  ObjectSet span = engine_.SpanFor("node-1");
  int claims = 0;
  for (const Pod& p : span.pods) claims += p.name == "stale" || p.name == "fresh";
  EXPECT_EQ(claims, 2);
  engine_.DeletePod("y", "fresh");
  EXPECT_EQ(E("10.0.0.50").name, "y/stale");
  EXPECT_TRUE(Allowed("10.0.0.50", "x/a"));
}

}  // namespace
}  // namespace microseg
