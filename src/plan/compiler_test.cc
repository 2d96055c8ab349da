#include "plan/compiler.h"

#include <gtest/gtest.h>

#include "plan/plan_test_util.h"

namespace microseg {
namespace {

using namespace plantest;
using A = EffectiveRule::Action;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1;

const Endpoint kA = Ep("x/a", "10.0.1.1");
const Endpoint kB = Ep("x/b", "10.0.1.2");
const Endpoint kC = Ep("x/c", "10.0.2.3");

CompileInput OneLocal(CompileInput::Local local) {
  CompileInput in;
  in.node = "n1";
  in.locals.push_back(std::move(local));
  return in;
}

TEST(CompilerTest, IsolatedIngressAllowsOnlyListedPeerAndPort) {
  Plan p = Compile(OneLocal(LocalOf(kA, Rules({Rule("x/allow-b", "ingress[0]", A::kAllow, {kB},
                                                      {PortMatch::Range(Protocol::kTCP, 80, 80)})},
                                                true))),
                   PlanOptions{});
  ASSERT_EQ(p.ingress.local.size(), 1u);
  EXPECT_EQ(p.ingress.defaults.at(kA.ip), PlanVerdict::kDeny);
  EXPECT_TRUE(p.egress.local.empty()) << "egress is not isolated: nothing to enforce";
  ASSERT_EQ(p.ingress.peer_hosts.size(), 1u);
  ClassId cls = p.ingress.peer_hosts.at(kB.ip);
  EXPECT_NE(cls, kNoneClass);
  const VerdictMap& v = p.ingress.classes.at(cls).verdicts;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.begin()->first, (VerdictKey{kA.ip, kTcp, kTcp, 80, 80}));
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kTcp, 80), PlanVerdict::kAllow);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kTcp, 81), PlanVerdict::kDeny);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kUdp, 80), PlanVerdict::kDeny);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kC.ip, kTcp, 80), PlanVerdict::kDeny);
}

TEST(CompilerTest, FirstMatchWinsAndPassSkipsTheRestOfTheAdminTier) {
  // admin: pass b; deny everyone (any). application: allow b and c on TCP.
  EffectiveRule pass_b = Rule("anp", "pass-b", A::kPass, {kB}, {}, Tier::kAdmin);
  EffectiveRule deny_all = Rule("anp", "deny-all", A::kDeny, {}, {}, Tier::kAdmin);
  deny_all.peers.any = true;
  EffectiveRule allow = Rule("x/np", "ingress[0]", A::kAllow, {kB, kC},
                             {PortMatch::All(Protocol::kTCP)});
  Plan p = Compile(OneLocal(LocalOf(kA, Rules({pass_b, deny_all, allow}, true))), PlanOptions{});
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kTcp, 443), PlanVerdict::kAllow);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kUdp, 53), PlanVerdict::kDeny)
      << "passed to the application tier, which isolates";
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kC.ip, kTcp, 443), PlanVerdict::kDeny)
      << "the admin deny comes before the application allow";
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, Ip("192.0.2.1"), kIcmp, 0), PlanVerdict::kDeny);
}

TEST(CompilerTest, BlocksWithExceptionsBecomeDisjointRanges) {
  EffectiveRule r = Rule("x/np", "ingress[0]", A::kAllow, {kB});
  r.peers.blocks.push_back({*Cidr::Parse("10.0.0.0/8"), {*Cidr::Parse("10.0.2.0/24")}});
  Plan p = Compile(OneLocal(LocalOf(kA, Rules({r}, true))), PlanOptions{});
  std::vector<std::string> ranges;
  for (const auto& [range, cls] : p.ingress.peer_ranges) ranges.push_back(range.ToString());
  EXPECT_EQ(ranges, (std::vector<std::string>{"10.0.0.0/23", "10.0.3.0-10.255.255.255"}));
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, Ip("10.9.9.9"), kTcp, 1), PlanVerdict::kAllow);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, Ip("10.0.2.9"), kTcp, 1), PlanVerdict::kDeny);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kC.ip, kTcp, 1), PlanVerdict::kDeny)
      << "10.0.2.3 is in the except hole";
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kTcp, 1), PlanVerdict::kAllow);
  // b is both a named peer and inside the block of the same rule: one class.
  EXPECT_EQ(p.ingress.peer_hosts.at(kB.ip), p.ingress.peer_ranges.begin()->second);
}

TEST(CompilerTest, EgressNamedPortsResolvePerPeer) {
  Endpoint b = kB, c = kC;
  CompileInput in = OneLocal(LocalOf(
      kA, {}, Rules({Rule("x/np", "egress[0]", A::kAllow, {b, c}, {PortMatch::Named(Protocol::kTCP, "web")})},
                    true)));
  in.resolve_named_port = [](const Endpoint& e, const std::string& name, Protocol) -> std::optional<uint16_t> {
    if (name != "web") return std::nullopt;
    if (e.name == "x/b") return 8080;
    if (e.name == "x/c") return 9090;
    return std::nullopt;
  };
  Plan p = Compile(in, PlanOptions{});
  EXPECT_NE(p.egress.peer_hosts.at(kB.ip), p.egress.peer_hosts.at(kC.ip));
  EXPECT_EQ(p.Evaluate(Direction::kEgress, kA.ip, kB.ip, kTcp, 8080), PlanVerdict::kAllow);
  EXPECT_EQ(p.Evaluate(Direction::kEgress, kA.ip, kB.ip, kTcp, 9090), PlanVerdict::kDeny);
  EXPECT_EQ(p.Evaluate(Direction::kEgress, kA.ip, kC.ip, kTcp, 9090), PlanVerdict::kAllow);
}

TEST(CompilerTest, VisibilityModeLogsInsteadOfDropping) {
  Plan p = Compile(OneLocal(LocalOf(kA, Rules({}, true, Mode::kVisibility))), PlanOptions{});
  EXPECT_EQ(p.ingress.defaults.at(kA.ip), PlanVerdict::kLogDeny);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, kB.ip, kTcp, 80), PlanVerdict::kLogDeny);
}

TEST(CompilerTest, UnenforcedOrUnisolatedEndpointsCostNothing) {
  CompileInput in = OneLocal(LocalOf(kA, Rules({}, false)));
  in.locals.push_back(LocalOf(kB, {}));
  Plan p = Compile(in, PlanOptions{});
  EXPECT_TRUE(p.ingress.local.empty());
  EXPECT_TRUE(p.egress.local.empty());
  ASSERT_EQ(p.endpoints.size(), 2u);
  EXPECT_EQ(p.ElementCount(), 0u);
}

TEST(CompilerTest, ClassIdsDependOnStateOnlyNotOnOtherPeers) {
  auto build = [](std::vector<Endpoint> peers) {
    return Compile(OneLocal(LocalOf(kA, Rules({Rule("x/np", "ingress[0]", A::kAllow, peers)}, true))),
                   PlanOptions{});
  };
  Plan one = build({kB});
  Plan two = build({kB, kC});
  EXPECT_EQ(one.ingress.peer_hosts.at(kB.ip), two.ingress.peer_hosts.at(kB.ip));
  EXPECT_EQ(build({kC, kB}), two) << "peer order does not matter";
}

TEST(CompilerTest, PeerCostIsPerClassNotPerRule) {
  // 1,000 policies over the same 50 peers, each allowing another port: one class.
  std::vector<Endpoint> peers;
  for (int i = 0; i < 50; ++i) peers.push_back(Ep("y/p" + std::to_string(i), ("10.1.0." + std::to_string(i + 1)).c_str()));
  std::vector<EffectiveRule> rules;
  for (int i = 0; i < 1000; ++i) {
    rules.push_back(Rule("y/np" + std::to_string(i), "ingress[0]", A::kAllow, peers,
                         {PortMatch::Range(Protocol::kTCP, static_cast<uint16_t>(1000 + 2 * i),
                                           static_cast<uint16_t>(1000 + 2 * i))}));
  }
  Plan p = Compile(OneLocal(LocalOf(kA, Rules(rules, true))), PlanOptions{});
  EXPECT_EQ(p.ingress.classes.size(), 2u);  // the peers' class and kNoneClass
  EXPECT_EQ(p.ingress.peer_hosts.size(), 50u);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, Ip("10.1.0.7"), kTcp, 1998), PlanVerdict::kAllow);
  EXPECT_EQ(p.Evaluate(Direction::kIngress, kA.ip, Ip("10.1.0.7"), kTcp, 1999), PlanVerdict::kDeny);
}

}  // namespace
}  // namespace microseg
