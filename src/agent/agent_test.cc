#include "agent/agent.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <sched.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "agent/fail_closed.h"
#include "agent/kernel_agent.h"
#include "dataplane/nft/fake_executor.h"
#include "dataplane/nft/libnftables_executor.h"
#include "plan/compiler.h"
#include "netns/netns_testing.h"
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
  EXPECT_NE(fake.scripts[0].find("10.0.0.2 : 0x"), std::string::npos) << fake.scripts[0];

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

// The kernel refuses a plan: the agent installs the default-deny fallback
// (no peer elements, a deny default for the selected pod), reports it,
// backs off, and the next attempt applies the real plan.
TEST(AgentTest, ARefusedPlanFailsClosedAndIsRetriedWithBackoff) {
  nft::FakeNftExecutor fake;
  ObjectSet objects = Objects("10.0.0.2");
  PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
  AgentOptions options;
  options.node = "node-1";
  options.poll_interval = std::chrono::milliseconds{100};
  options.max_retry_backoff = std::chrono::milliseconds{150};
  Agent agent(options, source, &fake);

  fake.fail_next_run = "Error: Could not process rule: File exists";
  Status s = agent.SyncOnce();
  EXPECT_EQ(s.message(),
            "kernel refused the plan (1 in a row, retry in 100 ms): Error: Could not process rule: "
            "File exists; failing closed: default deny for 1 local addresses");
  ASSERT_EQ(fake.scripts.size(), 2u) << "the plan, then the fallback";
  const std::string& fallback = fake.scripts[1];
  EXPECT_NE(fallback.find("delete table inet microseg"), std::string::npos) << fallback;
  EXPECT_NE(fallback.find("10.0.0.1"), std::string::npos) << fallback;
  EXPECT_EQ(fallback.find("10.0.0.2"), std::string::npos) << "no peer is allowed: " << fallback;
  Agent::Snapshot snap = agent.snapshot();
  EXPECT_TRUE(snap.fail_closed);
  EXPECT_EQ(snap.apply_failures, 1u);
  EXPECT_EQ(snap.retry_in_ms, 100);
  EXPECT_EQ(snap.last_error, s.message()) << "what the controller is told";

  fake.fail_next_run = "Error: Could not process rule: File exists";
  EXPECT_NE(agent.SyncOnce().message().find("(2 in a row, retry in 150 ms)"), std::string::npos)
      << "doubled, at most max_retry_backoff";

  ASSERT_TRUE(agent.SyncOnce().ok()) << agent.snapshot().last_error;
  EXPECT_NE(fake.scripts.back().find("10.0.0.2 : 0x"), std::string::npos) << fake.scripts.back();
  snap = agent.snapshot();
  EXPECT_FALSE(snap.fail_closed);
  EXPECT_EQ(snap.apply_failures, 0u);
  EXPECT_EQ(snap.last_error, "");
}

TEST(AgentTest, TheFallbackDeniesEveryEnforcedLocalAndKeepsVisibility) {
  Plan wanted;
  wanted.ingress.local = {*IpAddress::Parse("10.0.0.1"), *IpAddress::Parse("10.0.0.3")};
  wanted.ingress.defaults[*IpAddress::Parse("10.0.0.1")] = PlanVerdict::kAllow;
  wanted.ingress.peer_hosts[*IpAddress::Parse("10.0.0.2")] = 0xabcd;
  PlanEndpoint seen;
  seen.name = "x/seen";
  seen.mode = Mode::kVisibility;
  seen.ips = {*IpAddress::Parse("10.0.0.3")};
  wanted.endpoints.push_back(seen);
  Plan fallback = FailClosedPlan(wanted);
  EXPECT_EQ(fallback.ingress.local, wanted.ingress.local);
  EXPECT_EQ(fallback.ingress.defaults,
            (std::map<IpAddress, PlanVerdict>{{*IpAddress::Parse("10.0.0.1"), PlanVerdict::kDeny},
                                              {*IpAddress::Parse("10.0.0.3"), PlanVerdict::kLogDeny}}));
  EXPECT_TRUE(fallback.ingress.peer_hosts.empty());
  EXPECT_EQ(RetryDelay(1, std::chrono::milliseconds{300}, std::chrono::milliseconds{30000}).count(), 300);
  EXPECT_EQ(RetryDelay(3, std::chrono::milliseconds{300}, std::chrono::milliseconds{30000}).count(), 1200);
  EXPECT_EQ(RetryDelay(99, std::chrono::milliseconds{300}, std::chrono::milliseconds{30000}).count(), 30000);
}

// Records what it was asked to flush.
class FakeFlusher : public nft::ConntrackFlusher {
 public:
  Result<size_t> Flush(const std::vector<IpAddress>& ips) override {
    if (!fail.empty()) return Status::Error(fail);
    calls.push_back(ips);
    return ips.size();
  }
  std::vector<std::vector<IpAddress>> calls;
  std::string fail;
};

TEST(AgentTest, AnAddressThatChangesOwnerHasItsConntrackEntriesFlushed) {
  nft::FakeNftExecutor fake;
  FakeFlusher flusher;
  ObjectSet objects = Objects("10.0.0.2");
  objects.pods[1].uid = "uid-b";
  PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
  AgentOptions options;
  options.node = "node-1";
  Agent agent(options, source, &fake);
  agent.set_conntrack(&flusher);
  ASSERT_TRUE(agent.SyncOnce().ok());
  EXPECT_TRUE(flusher.calls.empty()) << "the first sync knows no earlier owners";
  ASSERT_TRUE(agent.SyncOnce().ok());
  EXPECT_TRUE(flusher.calls.empty()) << "nothing changed hands";

  // b deleted; a new pod c, same labels, takes its IP: the plan may not
  // change at all, but flows tracked for b must not go on as c's.
  objects.pods[1].name = "c";
  objects.pods[1].uid = "uid-c";
  flusher.fail = "conntrack: cannot open ctnetlink: Permission denied";
  Status failed = agent.SyncOnce();
  EXPECT_EQ(failed.message(), "policy applied, but conntrack: cannot open ctnetlink: Permission denied");
  flusher.fail.clear();
  ASSERT_TRUE(agent.SyncOnce().ok()) << "the failed flush is retried";
  ASSERT_EQ(flusher.calls.size(), 1u);
  EXPECT_EQ(flusher.calls[0], (std::vector<IpAddress>{*IpAddress::Parse("10.0.0.2")}));
  EXPECT_EQ(agent.snapshot().conntrack_flushes, 1u);
  EXPECT_EQ(agent.snapshot().conntrack_deleted, 1u);
  ASSERT_TRUE(agent.SyncOnce().ok());
  EXPECT_EQ(flusher.calls.size(), 1u);
}

// A UDP conntrack entry src:1000 -> dst:2000 in the calling thread's
// namespace, as the kernel makes for a first datagram.
bool CreateUdpEntry(const char* src, const char* dst) {
  nfct_handle* h = nfct_open(CONNTRACK, 0);
  if (!h) return false;
  nf_conntrack* ct = nfct_new();
  nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
  nfct_set_attr_u32(ct, ATTR_IPV4_SRC, inet_addr(src));
  nfct_set_attr_u32(ct, ATTR_IPV4_DST, inet_addr(dst));
  nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
  nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(1000));
  nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(2000));
  nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
  nfct_set_attr_u32(ct, ATTR_TIMEOUT, 300);
  int rc = nfct_query(h, NFCT_Q_CREATE, ct);
  nfct_destroy(ct);
  nfct_close(h);
  return rc == 0;
}

struct Count {
  uint32_t src;  // network order
  int n = 0;
};

int CountEntry(enum nf_conntrack_msg_type, struct nf_conntrack* ct, void* data) {
  auto* count = static_cast<Count*>(data);
  if (nfct_get_attr_u8(ct, ATTR_L3PROTO) == AF_INET && nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC) == count->src) {
    ++count->n;
  }
  return NFCT_CB_CONTINUE;
}

// Entries whose original source is `src`.
int EntriesFrom(const char* src) {
  nfct_handle* h = nfct_open(CONNTRACK, 0);
  if (!h) return -1;
  Count count{inet_addr(src)};
  nfct_callback_register(h, NFCT_T_ALL, CountEntry, &count);
  uint32_t family = AF_INET;
  nfct_query(h, NFCT_Q_DUMP, &family);
  nfct_close(h);
  return count.n;
}

// The kernel side of IP reuse, in a private network namespace: a real
// table, a tracked flow from b's address; b is deleted and a new pod takes
// its address; the next sync deletes the flow's entry and only it.
TEST(AgentKernelTest, IpReuseFlushesTheOldOwnersFlows) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  RunInPrivateNetns([] {
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    ObjectSet objects = Objects("10.0.0.2");
    objects.pods[1].uid = "uid-b";
    PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
    AgentOptions options;
    options.node = "node-1";
    KernelAgent kernel(options, source);
    Agent& agent = kernel.agent();
    ASSERT_TRUE(agent.SyncOnce().ok()) << agent.snapshot().last_error;

    if (!CreateUdpEntry("10.0.0.2", "10.0.0.1")) GTEST_SKIP() << "ctnetlink not usable here";
    ASSERT_TRUE(CreateUdpEntry("10.0.0.7", "10.0.0.1"));  // nobody's address: unrelated
    ASSERT_TRUE(agent.SyncOnce().ok());
    EXPECT_EQ(EntriesFrom("10.0.0.2"), 1) << "same owner: the flow stays";

    objects.pods[1].name = "c";
    objects.pods[1].uid = "uid-c";
    ASSERT_TRUE(agent.SyncOnce().ok()) << agent.snapshot().last_error;
    EXPECT_EQ(EntriesFrom("10.0.0.2"), 0) << "b's flow must not go on as c's";
    EXPECT_EQ(EntriesFrom("10.0.0.7"), 1);
    EXPECT_EQ(agent.snapshot().conntrack_deleted, 1u);
  });
}

// Two pods on one node claim one IP (a stale Running pod and its successor,
// per-node IPAM), with rules whose verdict boxes overlap: the plan holds
// the newer pod only, the kernel accepts it, and the engine's Check
// resolves the address to the same pod whatever the order of the objects.
TEST(AgentKernelTest, TwoPodsClaimingOneIpCompileToOneOwnerTheKernelAccepts) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  ObjectSet objects;
  objects.namespaces.push_back(Ns("x"));
  Pod old_pod = MakePod("x", "web-old", L({{"app", "old"}}), "10.0.0.1");
  old_pod.created = "2026-12-01T10:00:00Z";
  Pod new_pod = MakePod("x", "web-new", L({{"app", "new"}}), "10.0.0.1");
  new_pod.created = "2026-12-01T10:05:00Z";
  objects.pods = {new_pod, old_pod, MakePod("x", "b", L({{"app", "b"}}), "10.0.0.2")};
  objects.pods[2].node_name = "node-2";
  objects.network_policies.push_back(Np("x", "old", Sel({{"app", "old"}}),
                                        {NetworkPolicyRule{{PortMatch::All(Protocol::kTCP)}, {PodPeer(Sel({{"app", "b"}}))}}}));
  objects.network_policies.push_back(Np("x", "new", Sel({{"app", "new"}}),
                                        {NetworkPolicyRule{{PortMatch::Range(Protocol::kTCP, 80, 80)}, {PodPeer(Sel({{"app", "b"}}))}}}));
  for (bool reversed : {false, true}) {
    ObjectSet o = objects;
    if (reversed) std::reverse(o.pods.begin(), o.pods.end());
    PolicyEngine engine;
    engine.Load(o);
    EXPECT_EQ(engine.Resolve("10.0.0.1")->name, "x/web-new") << "reversed " << reversed;
    Plan plan = CompileForNode(engine, "node-1", PlanOptions{});
    ASSERT_EQ(plan.endpoints.size(), 1u);
    EXPECT_EQ(plan.endpoints[0].name, "x/web-new");
    EXPECT_EQ(plan.Evaluate(Direction::kIngress, *IpAddress::Parse("10.0.0.1"), *IpAddress::Parse("10.0.0.2"), 6, 22),
              PlanVerdict::kDeny)
        << "the old pod's allow-all-TCP is not the address's";
  }
  RunInPrivateNetns([&] {
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    nft::LibNftablesExecutor executor;
    PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
    AgentOptions options;
    options.node = "node-1";
    Agent agent(options, source, &executor);
    ASSERT_TRUE(agent.SyncOnce().ok()) << agent.snapshot().last_error;
    EXPECT_FALSE(agent.snapshot().fail_closed);
  });
}

// An address changes owner while no agent runs: the new agent's first sync
// compares the table the kernel kept with its plan and deletes the old
// owner's flows; a restart that changed nothing cuts nothing.
TEST(AgentKernelTest, RestartAcrossIpReuseFlushesTheOldOwnersFlows) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  RunInPrivateNetns([] {
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    ObjectSet objects = Objects("10.0.0.2");
    objects.pods[1].node_name = "node-2";
    PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
    AgentOptions options;
    options.node = "node-1";
    {  // each agent with its own kernel handles, as a restarted process has
      KernelAgent kernel(options, source);
      Agent& first = kernel.agent();
      ASSERT_TRUE(first.SyncOnce().ok()) << first.snapshot().last_error;
    }
    if (!CreateUdpEntry("10.0.0.2", "10.0.0.1")) GTEST_SKIP() << "ctnetlink not usable here";
    ASSERT_TRUE(CreateUdpEntry("10.0.0.7", "10.0.0.1"));  // nobody's address: unrelated
    {
      KernelAgent kernel(options, source);
      Agent& same = kernel.agent();
      ASSERT_TRUE(same.SyncOnce().ok()) << same.snapshot().last_error;
      EXPECT_EQ(EntriesFrom("10.0.0.2"), 1) << "nothing changed while down: the flow stays";
    }
    // While no agent runs, b is deleted and c, which a's policy does not
    // admit, takes its address.
    objects.pods[1] = MakePod("x", "c", L({{"app", "c"}}), "10.0.0.2");
    objects.pods[1].node_name = "node-2";
    KernelAgent kernel(options, source);
    Agent& next = kernel.agent();
    ASSERT_TRUE(next.SyncOnce().ok()) << next.snapshot().last_error;
    EXPECT_EQ(EntriesFrom("10.0.0.2"), 0) << "b's flow must not go on as c's";
    EXPECT_EQ(EntriesFrom("10.0.0.7"), 1);
    EXPECT_EQ(next.snapshot().conntrack_deleted, 1u);
  });
}

}  // namespace
}  // namespace microseg
