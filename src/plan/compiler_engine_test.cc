// The compiler depends on current state only: after any sequence of engine
// changes, compiling equals compiling a fresh engine loaded with the result.
#include <gtest/gtest.h>

#include "plan/compiler.h"
#include "plan/plan_diff.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;

ObjectSet Base() {
  ObjectSet o;
  o.namespaces = {Ns("x", L({{"ns", "x"}})), Ns("y", L({{"ns", "y"}}))};
  o.pods = {MakePod("x", "a", L({{"app", "a"}}), "10.0.0.1", {{"web", 8080, Protocol::kTCP}}),
            MakePod("x", "b", L({{"app", "b"}}), "10.0.0.2"),
            MakePod("y", "c", L({{"app", "c"}}), "10.0.1.3", {{"web", 9090, Protocol::kTCP}})};
  o.pods[2].node_name = "node-2";
  o.network_policies = {
      Np("x", "a-in", Sel({{"app", "a"}}), {NetworkPolicyRule{{PortMatch::Named(Protocol::kTCP, "web")}, {NsPeer(Sel({{"ns", "y"}}))}}}),
      Np("x", "b-out", Sel({{"app", "b"}}), {},
         std::vector<NetworkPolicyRule>{NetworkPolicyRule{{PortMatch::Named(Protocol::kTCP, "web")}, {NsPeer(Sel({}))}},
                                        NetworkPolicyRule{{}, {BlockPeer("10.0.0.0/8", {"10.0.1.0/24"})}}})};
  return o;
}

Plan Fresh(const ObjectSet& o) {
  PolicyEngine e;
  e.Load(o);
  return CompileForNode(e, "node-1", PlanOptions{});
}

TEST(CompilerEngineTest, ChangesThenCompileEqualsFreshCompile) {
  ObjectSet o = Base();
  PolicyEngine engine;
  engine.Load(o);
  Plan before = CompileForNode(engine, "node-1", PlanOptions{});
  EXPECT_FALSE(before.ingress.local.empty());
  EXPECT_FALSE(before.egress.local.empty());

  // Relabel y/c into x's selection, move x/b's IP, add a pod, drop a policy.
  Pod c = o.pods[2];
  c.labels = L({{"app", "a"}});
  Pod b = o.pods[1];
  b.ips = {*IpAddress::Parse("10.0.0.99")};
  Pod d = MakePod("y", "d", L({{"app", "d"}}), "10.0.1.4", {{"web", 7070, Protocol::kTCP}});
  engine.Upsert(c);
  engine.Upsert(b);
  engine.Upsert(d);
  o.pods[2] = c;
  o.pods[1] = b;
  o.pods.push_back(d);
  Plan incremental = CompileForNode(engine, "node-1", PlanOptions{});
  Plan fresh = Fresh(o);
  EXPECT_TRUE(incremental == fresh);
  EXPECT_TRUE(DiffPlans(incremental, fresh).empty());

  engine.DeleteNetworkPolicy("x", "a-in");
  o.network_policies.erase(o.network_policies.begin());
  EXPECT_TRUE(CompileForNode(engine, "node-1", PlanOptions{}) == Fresh(o));
  // And back: undoing every change gives the first plan again.
  engine.Load(Base());
  EXPECT_TRUE(CompileForNode(engine, "node-1", PlanOptions{}) == before);
}

TEST(CompilerEngineTest, PlanAgreesWithTheModel) {
  ObjectSet o = Base();
  PolicyEngine engine;
  engine.Load(o);
  Plan plan = CompileForNode(engine, "node-1", PlanOptions{});
  // Every local pair and port: the plan's two directions give the model's verdict.
  for (const char* src : {"x/a", "x/b", "y/c"}) {
    for (const char* dst : {"x/a", "x/b", "y/c"}) {
      for (uint16_t port : {80, 7070, 8080, 9090}) {
        auto s = engine.Resolve(src);
        auto d = engine.Resolve(dst);
        ASSERT_TRUE(s.ok() && d.ok());
        Verdict v = engine.Check(*s, *d, Protocol::kTCP, port);
        // Only directions enforced on node-1 are in this plan.
        bool eg_local = plan.egress.local.contains(s->ip), in_local = plan.ingress.local.contains(d->ip);
        if (eg_local) {
          EXPECT_EQ(plan.Evaluate(Direction::kEgress, s->ip, d->ip, 6, port) == PlanVerdict::kAllow,
                    v.egress.allowed)
              << src << " -> " << dst << " TCP/" << port << " egress";
        }
        if (in_local) {
          EXPECT_EQ(plan.Evaluate(Direction::kIngress, d->ip, s->ip, 6, port) == PlanVerdict::kAllow,
                    v.ingress.allowed)
              << src << " -> " << dst << " TCP/" << port << " ingress";
        }
      }
    }
  }
}

// Issue 10, item 1: a named port in an egress rule resolves against the
// destination pod, also when the rule's peer is "any" (no `to`) or an
// ipBlock; addresses that are not pods never match a named port.
TEST(CompilerEngineTest, EgressNamedPortWithAnyOrBlockPeerResolvesOnTheDestination) {
  struct Row {
    const char* description;
    std::vector<NetworkPolicyPeer> to;
  };
  const Row rows[] = {
      {"no to: any peer", {}},
      {"ipBlock 0.0.0.0/0", {BlockPeer("0.0.0.0/0")}},
      {"narrower ipBlock with except", {BlockPeer("10.0.0.0/8", {"10.0.2.0/24"})}},
  };
  for (const Row& row : rows) {
    ObjectSet o;
    o.namespaces = {Ns("x"), Ns("y")};
    o.pods = {MakePod("x", "a", L({{"app", "a"}}), "10.0.0.1"),
              MakePod("y", "c", L({{"app", "c"}}), "10.0.1.3", {{"serve-80-tcp", 80, Protocol::kTCP}}),
              MakePod("y", "d", L({{"app", "d"}}), "10.0.2.4", {{"serve-80-tcp", 80, Protocol::kTCP}}),
              MakePod("y", "e", L({{"app", "e"}}), "10.0.1.5", {{"other", 80, Protocol::kTCP}})};
    o.pods[1].node_name = o.pods[2].node_name = o.pods[3].node_name = "node-2";
    o.network_policies = {Np("x", "out", Sel({{"app", "a"}}), {},
                             std::vector<NetworkPolicyRule>{NetworkPolicyRule{
                                 {PortMatch::Named(Protocol::kTCP, "serve-80-tcp")}, row.to}})};
    PolicyEngine engine;
    engine.Load(o);
    Plan plan = CompileForNode(engine, "node-1", PlanOptions{});
    auto a = engine.Resolve("x/a");
    ASSERT_TRUE(a.ok());
    for (const char* dst : {"y/c", "y/d", "y/e", "10.0.1.9", "10.0.2.9"}) {
      auto d = engine.Resolve(dst);
      ASSERT_TRUE(d.ok());
      for (uint16_t port : {80, 81}) {
        bool model = engine.Check(*a, *d, Protocol::kTCP, port).egress.allowed;
        bool kernel = plan.Evaluate(Direction::kEgress, a->ip, d->ip, 6, port) == PlanVerdict::kAllow;
        EXPECT_EQ(kernel, model) << row.description << ": x/a -> " << dst << " TCP/" << port;
      }
    }
    // The destination that declares the port is reached on it.
    auto c = engine.Resolve("y/c");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(plan.Evaluate(Direction::kEgress, a->ip, c->ip, 6, 80), PlanVerdict::kAllow)
        << row.description;
  }
}

}  // namespace
}  // namespace microseg
