#include "agent/agent.h"

#include <gtest/gtest.h>

#include "dataplane/nft/fake_executor.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;

ObjectSet Objects(const char* b_ip) {
  ObjectSet o;
  o.namespaces.push_back(Ns("x"));
  o.pods.push_back(MakePod("x", "a", L({{"app", "a"}}), "10.0.0.1"));
  o.pods.push_back(MakePod("x", "b", L({{"app", "b"}}), b_ip));
  o.network_policies.push_back(Np("x", "a-from-b", Sel({{"app", "a"}}), {NetworkPolicyRule{{}, {PodPeer(Sel({{"app", "b"}}))}}}));
  return o;
}

TEST(AgentTest, AppliesThenKeepsEnforcingWhenTheSourceFails) {
  nft::FakeNftExecutor fake;
  Result<ObjectSet> next = Objects("10.0.0.2");
  PolicySource source{[] { return true; }, [&] { return next; }};
  AgentOptions options;
  options.node = "node-1";
  Agent agent(options, source, &fake);
  ASSERT_TRUE(agent.SyncOnce().ok());
  ASSERT_EQ(fake.scripts.size(), 1u);
  EXPECT_NE(fake.scripts[0].find("10.0.0.2 : goto in_c_"), std::string::npos) << fake.scripts[0];

  next = Status::Error("cannot reach the API server");
  EXPECT_FALSE(agent.SyncOnce().ok());
  EXPECT_EQ(fake.scripts.size(), 1u) << "nothing is applied: the last policy stays";
  EXPECT_EQ(agent.snapshot().last_error, "cannot reach the API server");

  next = Objects("10.0.0.9");  // b recreated with a new IP
  ASSERT_TRUE(agent.SyncOnce().ok());
  ASSERT_EQ(fake.scripts.size(), 2u);
  EXPECT_EQ(agent.snapshot().last_apply.kind, nft::NftDataplane::Stats::Kind::kDelta);
  EXPECT_NE(fake.scripts[1].find("delete element inet microseg in_peer_v4 {\n  10.0.0.2\n}"), std::string::npos)
      << fake.scripts[1];
}

}  // namespace
}  // namespace microseg
