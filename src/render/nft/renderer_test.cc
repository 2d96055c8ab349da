#include "render/nft/renderer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "plan/plan_diff.h"
#include "plan/plan_test_util.h"
#include "render/nft/names.h"

namespace microseg::nft {
namespace {

using namespace plantest;
using A = EffectiveRule::Action;

// A small plan touching every feature: two local pods, an isolated
// ingress with a named peer and a block with a hole, an egress in
// visibility mode, IPv6.
Plan SamplePlan(const char* b_ip = "10.0.1.2") {
  EffectiveRule in = Rule("x/web", "ingress[0]", A::kAllow, {Ep("x/b", b_ip)},
                          {PortMatch::Range(Protocol::kTCP, 80, 81), PortMatch::All(Protocol::kUDP)});
  in.peers.blocks.push_back({*Cidr::Parse("192.168.0.0/16"), {*Cidr::Parse("192.168.1.0/24")}});
  EffectiveRule eg = Rule("x/dns", "egress[0]", A::kAllow, {Ep("kube-system/dns", "fd00::53")},
                          {PortMatch::Range(Protocol::kUDP, 53, 53)});
  CompileInput input;
  input.node = "node-1";
  input.locals.push_back(LocalOf(Ep("x/a", "10.0.1.1"), Rules({in}, true)));
  input.locals.push_back(LocalOf(Ep("x/a", "fd00::1"), Rules({in}, true),
                                 Rules({eg}, true, Mode::kVisibility)));
  PlanOptions options;
  options.failsafe_inbound = {{Protocol::kTCP, 22}, {Protocol::kTCP, 9443}};
  options.failsafe_outbound = {{Protocol::kUDP, 53}};
  return Compile(input, options);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Golden files live beside this test; MICROSEG_UPDATE_GOLDEN=1 rewrites them.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const char* root = std::getenv("MICROSEG_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/src/render/nft/testdata/" + name;
  if (std::getenv("MICROSEG_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    return;
  }
  EXPECT_EQ(ReadFile(path), actual) << "golden " << path
                                    << " differs; rerun with MICROSEG_UPDATE_GOLDEN=1 if intended";
}

TEST(RendererTest, FullTableGolden) { ExpectGolden("sample_table.nft", RenderTable(SamplePlan())); }

TEST(RendererTest, DeltaGolden) {
  Plan before = SamplePlan();
  Plan after = SamplePlan("10.0.1.9");  // x/b recreated with a new IP
  ExpectGolden("sample_delta.nft", RenderDelta(DiffPlans(before, after), after));
}

TEST(RendererTest, ReplaceIsOneBatchThatSurvivesAMissingTable) {
  std::string s = RenderReplace(SamplePlan());
  EXPECT_EQ(s.rfind("add table inet microseg\ndelete table inet microseg\ntable inet microseg {\n", 0), 0u);
}

TEST(RendererTest, VerdictTexts) {
  EXPECT_EQ(VerdictText(Direction::kIngress, PlanVerdict::kAllow), "goto in_allow");
  EXPECT_EQ(VerdictText(Direction::kEgress, PlanVerdict::kAllow), "goto eg_allow");
  EXPECT_EQ(VerdictText(Direction::kEgress, PlanVerdict::kDeny), "goto eg_deny");
  EXPECT_EQ(VerdictText(Direction::kIngress, PlanVerdict::kLogDeny), "goto in_log");
  EXPECT_EQ(VerdictKeyText({*IpAddress::Parse("10.0.0.1"), 0, 5, 0, 65535}), "10.0.0.1 . 0-5 . 0-65535");
}

TEST(RendererTest, EnforcedDropsOfNewConnectionsAreLoggedWithinATableWideLimit) {
  Plan p = SamplePlan();
  p.options.deny_log_rate = 25;
  std::string t = RenderTable(p);
  EXPECT_NE(t.find("  limit deny_log {\n    rate 25/second burst 25 packets\n  }\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  chain in_deny {\n    jump restore_mark\n    ct state new limit name \"deny_log\" "
                   "log group 100 prefix \"microseg deny ingress: \"\n    drop\n  }\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("ct state new limit name \"deny_log\" log group 100 prefix \"microseg deny egress: \"\n    drop"),
            std::string::npos);
  // Would-deny keeps its own prefix; the collector tells them apart.
  EXPECT_NE(t.find("log group 100 prefix \"microseg would-deny ingress: \" accept"), std::string::npos);
  Plan silent = p;
  silent.options.deny_log_rate = 0;
  std::string q = RenderTable(silent);
  EXPECT_EQ(q.find(" limit "), std::string::npos);  // no rate limit (hoplimit is NDP's)
  EXPECT_NE(q.find("  chain in_deny {\n    jump restore_mark\n    drop\n  }\n"), std::string::npos) << q;
  EXPECT_NE(SkeletonChain(p.options), SkeletonChain(silent.options)) << "the rate is part of the skeleton";
}

TEST(RendererTest, PeerElementsAreDataAndVerdictsRestoreTheMark) {
  Plan before = SamplePlan();
  Plan after = SamplePlan("10.0.1.9");
  std::string delta = RenderDelta(DiffPlans(before, after), after);
  EXPECT_EQ(delta.find("goto"), std::string::npos) << "a pod move must not touch verdict elements: " << delta;
  std::string t = RenderTable(before);
  // Every verdict goes through a chain that restores the mark first.
  for (const char* chain : {"in_allow", "eg_allow", "in_deny", "eg_deny", "in_log", "eg_log"}) {
    std::string head = std::string("  chain ") + chain + " {\n    jump restore_mark\n";
    EXPECT_NE(t.find(head), std::string::npos) << chain;
  }
  EXPECT_EQ(t.find(": accept"), std::string::npos);
  EXPECT_EQ(t.find(": drop"), std::string::npos);
  // Ports are written as ranges in the verdict map (nft 1.0.6 deletes them only so).
  EXPECT_NE(t.find(" . 10.0.1.1 . 17 . 0-65535 : goto in_allow"), std::string::npos);
}

// Class ids are numbers in the plan; the renderer writes them as marks.
TEST(RendererTest, ClassIdsAreWrittenAsMarks) {
  Plan p;
  IpAddress local = *IpAddress::Parse("10.0.1.1"), peer = *IpAddress::Parse("10.0.0.9");
  p.ingress.local.insert(local);
  p.ingress.defaults[local] = PlanVerdict::kDeny;
  p.ingress.peer_hosts[peer] = 0x294aeb85;
  p.ingress.classes[0x294aeb85].verdicts[VerdictKey{local, 6, 6, 80, 80}] = PlanVerdict::kAllow;
  p.ingress.classes[kNoneClass].verdicts[VerdictKey{local, 17, 17, 53, 53}] = PlanVerdict::kAllow;
  std::string t = RenderTable(p);
  EXPECT_NE(t.find("10.0.0.9 : 0x294aeb85"), std::string::npos) << t;
  EXPECT_NE(t.find("0x294aeb85 . 10.0.1.1 . 6 . 80-80 : goto in_allow"), std::string::npos) << t;
  EXPECT_NE(t.find("0x00000000 . 10.0.1.1 . 17 . 53-53 : goto in_allow"), std::string::npos) << t;
}

TEST(RendererTest, EmptyDiffRendersNothing) {
  Plan p = SamplePlan();
  EXPECT_EQ(RenderDelta(DiffPlans(p, p), p), "");
}

}  // namespace
}  // namespace microseg::nft
