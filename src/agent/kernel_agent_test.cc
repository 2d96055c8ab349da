// KernelAgent: built on a thread inside a private network namespace, it
// enforces there, and its conntrack flusher is wired (an address that
// changes owner is flushed).
#include "agent/kernel_agent.h"

#include <sched.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "netns/netns_testing.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;

TEST(KernelAgentTest, EnforcesInTheNamespaceItIsBuiltInAndFlushesReownedAddresses) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  RunInPrivateNetns([] {
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    ObjectSet objects;
    objects.namespaces.push_back(Ns("x"));
    objects.pods.push_back(MakePod("x", "a", L({{"app", "a"}}), "10.0.0.1"));
    objects.pods.push_back(MakePod("x", "b", L({{"app", "b"}}), "10.0.0.2"));
    objects.pods[1].uid = "uid-b";
    objects.network_policies.push_back(
        Np("x", "a-from-b", Sel({{"app", "a"}}), {NetworkPolicyRule{{}, {PodPeer(Sel({{"app", "b"}}))}}}));
    AgentOptions options;
    options.node = "node-1";
    KernelAgent kernel(options, PolicySource{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }});
    ASSERT_TRUE(kernel.agent().SyncOnce().ok()) << kernel.agent().snapshot().last_error;

    nft::LibNftablesExecutor look;  // this (the private) namespace's ruleset
    auto table = look.ListTableJson();
    ASSERT_TRUE(table.ok()) << table.status().message();
    EXPECT_TRUE(table->has_value()) << "the table is in the namespace the agent was built in";

    objects.pods[1].name = "c";  // b's address, a new owner
    objects.pods[1].uid = "uid-c";
    ASSERT_TRUE(kernel.agent().SyncOnce().ok()) << kernel.agent().snapshot().last_error;
    EXPECT_EQ(kernel.agent().snapshot().conntrack_flushes, 1u);
  });
}

}  // namespace
}  // namespace microseg
