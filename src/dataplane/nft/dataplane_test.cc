#include "dataplane/nft/dataplane.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "dataplane/nft/fake_executor.h"
#include "dataplane/nft/libnftables_executor.h"
#include "dataplane/nft/table_reader.h"
#include "plan/plan_test_util.h"

namespace microseg::nft {
namespace {

using namespace plantest;
using A = EffectiveRule::Action;
using Kind = NftDataplane::Stats::Kind;

Plan MakePlan(int peers, const char* moved_ip = nullptr, Mode mode = Mode::kEnforced) {
  std::vector<Endpoint> eps;
  for (int i = 0; i < peers; ++i) {
    eps.push_back(Ep("y/p" + std::to_string(i), ("10.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)).c_str()));
  }
  if (moved_ip) eps[0].ip = Ip(moved_ip);
  EffectiveRule in = Rule("x/np", "ingress[0]", A::kAllow, eps, {PortMatch::Range(Protocol::kTCP, 80, 81)});
  in.peers.blocks.push_back({*Cidr::Parse("172.16.0.0/12"), {*Cidr::Parse("172.16.5.0/24")}});
  EffectiveRule eg = Rule("x/np", "egress[0]", A::kAllow, eps, {PortMatch::All(Protocol::kUDP)});
  CompileInput input;
  input.node = "n1";
  input.locals.push_back(LocalOf(Ep("x/a", "10.0.1.1"), Rules({in}, true, mode), Rules({eg}, true, mode)));
  input.locals.push_back(LocalOf(Ep("x/a6", "fd00::1"), Rules({in}, true, mode)));
  return Compile(input, PlanOptions{});
}

TEST(DataplaneTest, FirstApplyWithoutTableReplacesThenDiffs) {
  FakeNftExecutor fake;
  NftDataplane dp(&fake);
  ASSERT_TRUE(dp.Apply(MakePlan(3)).ok());
  EXPECT_EQ(dp.last().kind, Kind::kReplace);
  EXPECT_EQ(fake.listings, 1);
  ASSERT_EQ(fake.scripts.size(), 1u);
  EXPECT_EQ(fake.scripts[0].rfind("add table inet microseg\ndelete table inet microseg\n", 0), 0u);

  ASSERT_TRUE(dp.Apply(MakePlan(3)).ok());
  EXPECT_EQ(dp.last().kind, Kind::kNoop);
  EXPECT_EQ(fake.scripts.size(), 1u) << "no change in, nothing out";

  ASSERT_TRUE(dp.Apply(MakePlan(3, "10.9.9.9")).ok());
  EXPECT_EQ(dp.last().kind, Kind::kDelta);
  EXPECT_EQ(dp.last().element_ops, 4u) << "one host element, twice (ingress and egress)";
  EXPECT_EQ(fake.listings, 1) << "steady state never reads the kernel";
}

TEST(DataplaneTest, FailedApplyReconcilesFromTheKernelNextTime) {
  FakeNftExecutor fake;
  NftDataplane dp(&fake);
  ASSERT_TRUE(dp.Apply(MakePlan(3)).ok());
  fake.fail_next_run = "boom";
  EXPECT_FALSE(dp.Apply(MakePlan(4)).ok());
  ASSERT_TRUE(dp.Apply(MakePlan(4)).ok());
  EXPECT_EQ(fake.listings, 2);
}

TEST(DataplaneTest, ForeignOrOldTableIsReplacedWhole) {
  FakeNftExecutor fake;
  fake.listing = R"({"nftables":[{"metainfo":{}},{"table":{"family":"inet","name":"microseg"}},
                   {"chain":{"family":"inet","table":"microseg","name":"skel_0000000000000000"}}]})";
  NftDataplane dp(&fake);
  ASSERT_TRUE(dp.Apply(MakePlan(2)).ok());
  EXPECT_EQ(dp.last().kind, Kind::kReplace);
}

// Runs `body` on a thread inside a fresh, private network namespace, which
// disappears with the thread: kernel tests never touch the host's tables.
void InPrivateNetns(const std::function<void()>& body) {
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET) failed";
      return;
    }
    body();
  });
  t.join();
}

class KernelDataplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    bool ok = false;
    InPrivateNetns([&] { ok = NftablesAvailable(); });
    if (!ok) GTEST_SKIP() << "nftables not usable here";
  }
};

void ExpectKernelHolds(NftExecutor& exec, const Plan& plan) {
  auto listing = exec.ListTableJson();
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  ASSERT_TRUE(listing->has_value());
  auto table = ParseTableJson(**listing);
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_TRUE(table->ingress == plan.ingress);
  EXPECT_TRUE(table->egress == plan.egress);
}

TEST_F(KernelDataplaneTest, ApplyDeltaRestartAndRepair) {
  InPrivateNetns([] {
    LibNftablesExecutor exec;
    Plan a = MakePlan(500), b = MakePlan(500, "10.9.9.9"), c = MakePlan(500, "10.9.9.9", Mode::kVisibility);
    {
      NftDataplane dp(&exec);
      ASSERT_TRUE(dp.Apply(a).ok());
      EXPECT_EQ(dp.last().kind, Kind::kReplace);
      ExpectKernelHolds(exec, a);
      Status s = dp.Apply(b);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_EQ(dp.last().kind, Kind::kDelta);
      ExpectKernelHolds(exec, b);
      s = dp.Apply(c);
      ASSERT_TRUE(s.ok()) << s.message();
      ExpectKernelHolds(exec, c);
    }
    // Restart: the table stayed; the new instance reads it and finds nothing to do.
    NftDataplane restarted(&exec);
    ASSERT_TRUE(restarted.Apply(c).ok());
    EXPECT_EQ(restarted.last().kind, Kind::kNoop);
    // Drift (someone deleted an element): repaired with a one-element delta.
    ASSERT_TRUE(exec.Run("delete element inet microseg in_peer_v4 { 10.2.0.9 }\n").ok());
    NftDataplane again(&exec);
    ASSERT_TRUE(again.Apply(c).ok());
    EXPECT_EQ(again.last().kind, Kind::kDelta);
    EXPECT_EQ(again.last().element_ops, 1u);
    ExpectKernelHolds(exec, c);
    // Back to the first plan, with a removed class and changed verdicts.
    ASSERT_TRUE(again.Apply(a).ok());
    ExpectKernelHolds(exec, a);
  });
}

// Verdict elements of one port and one protocol, removed again: nft 1.0.6
// needs the port written as a range to delete them (renderer.cc).
TEST_F(KernelDataplaneTest, SinglePortVerdictsCanBeRemoved) {
  auto plan = [](uint16_t port) {
    EffectiveRule in = Rule("x/np", "ingress[0]", A::kAllow, {Ep("y/b", "10.2.0.1")},
                            {PortMatch::Range(Protocol::kTCP, port, port), PortMatch::Range(Protocol::kUDP, 81, 81)});
    CompileInput input;
    input.node = "n1";
    input.locals.push_back(LocalOf(Ep("x/a", "10.0.1.1"), Rules({in}, true)));
    return Compile(input, PlanOptions{});
  };
  InPrivateNetns([&] {
    LibNftablesExecutor exec;
    NftDataplane dp(&exec);
    ASSERT_TRUE(dp.Apply(plan(80)).ok());
    Status s = dp.Apply(plan(90));
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(dp.last().kind, Kind::kDelta);
    ExpectKernelHolds(exec, plan(90));
    s = dp.Apply(MakePlan(2));  // the class and its verdicts go away
    ASSERT_TRUE(s.ok()) << s.message();
    ExpectKernelHolds(exec, MakePlan(2));
  });
}

TEST_F(KernelDataplaneTest, NeverTouchesOtherTables) {
  InPrivateNetns([] {
    LibNftablesExecutor exec;
    ASSERT_TRUE(exec.Run("add table inet other\nadd chain inet other c\n").ok());
    NftDataplane dp(&exec);
    ASSERT_TRUE(dp.Apply(MakePlan(2)).ok());
    ASSERT_TRUE(dp.Apply(MakePlan(5)).ok());
    EXPECT_TRUE(exec.Run("list chain inet other c\n").ok());
  });
}

}  // namespace
}  // namespace microseg::nft
