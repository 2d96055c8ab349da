#include "plan/plan_diff.h"

#include <gtest/gtest.h>

#include "plan/plan_test_util.h"
#include "plan/random_cluster.h"

namespace microseg {
namespace {

using namespace plantest;
using A = EffectiveRule::Action;

Plan Build(const std::vector<Endpoint>& peers) {
  CompileInput in;
  in.node = "n1";
  in.locals.push_back(LocalOf(Ep("x/a", "10.0.1.1"),
                              Rules({Rule("x/np", "ingress[0]", A::kAllow, peers,
                                          {PortMatch::Range(Protocol::kTCP, 80, 80)})},
                                    true)));
  return Compile(in, PlanOptions{});
}

TEST(PlanDiffTest, NoChangeNoDiff) {
  Plan p = Build({Ep("x/b", "10.0.1.2")});
  EXPECT_TRUE(DiffPlans(p, p).empty());
}

TEST(PlanDiffTest, PeerIpChangeTouchesOnlyItsElements) {
  std::vector<Endpoint> peers;
  for (int i = 0; i < 200; ++i) peers.push_back(Ep("y/p" + std::to_string(i), ("10.2.0." + std::to_string(i + 1)).c_str()));
  Plan before = Build(peers);
  peers[7].ip = Ip("10.2.1.99");  // deleted and recreated with a new IP
  Plan after = Build(peers);
  PlanDiff d = DiffPlans(before, after);
  EXPECT_EQ(d.ElementOps(), 2u);
  ASSERT_EQ(d.ingress.hosts_removed.size(), 1u);
  EXPECT_EQ(d.ingress.hosts_removed[0].ToString(), "10.2.0.8");
  ASSERT_EQ(d.ingress.hosts_added.size(), 1u);
  EXPECT_EQ(d.ingress.hosts_added[0].first.ToString(), "10.2.1.99");
}

TEST(PlanDiffTest, ChangedValueIsRemoveThenAdd) {
  Plan before = Build({Ep("x/b", "10.0.1.2")});
  Plan after = before;
  after.ingress.defaults.begin()->second = PlanVerdict::kLogDeny;
  PlanDiff d = DiffPlans(before, after);
  EXPECT_EQ(d.ingress.defaults_removed.size(), 1u);
  EXPECT_EQ(d.ingress.defaults_added.size(), 1u);
  EXPECT_FALSE(d.skeleton_changed);
  after.options.log_group = 7;
  EXPECT_TRUE(DiffPlans(before, after).skeleton_changed);
}

// Any two plans: applying their diff to the first gives the second.
TEST(PlanDiffTest, ApplyingADiffGivesTheTargetPlan) {
  size_t ops = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    Entropy e1 = Entropy::Seeded(seed), e2 = Entropy::Seeded(seed + 1000);
    PolicyEngine a, b;
    a.Load(ClusterGenerator(&e1).Generate());
    b.Load(ClusterGenerator(&e2).Generate());
    Plan from = CompileForNode(a, "node-1", PlanOptions{});
    const Plan to = CompileForNode(b, "node-1", PlanOptions{});
    PlanDiff d = DiffPlans(from, to);
    ops += d.ElementOps();
    ApplyDiff(d, &from);
    EXPECT_EQ(from.ingress, to.ingress) << "seed " << seed;
    EXPECT_EQ(from.egress, to.egress) << "seed " << seed;
  }
  EXPECT_GT(ops, 100u);
}

}  // namespace
}  // namespace microseg
