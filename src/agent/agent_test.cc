#include "agent/agent.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <sched.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "dataplane/nft/fake_executor.h"
#include "dataplane/nft/libnftables_executor.h"
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
  std::thread t([] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET) failed";
      return;
    }
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    nft::LibNftablesExecutor executor;
    nft::NetlinkConntrackFlusher flusher;
    ObjectSet objects = Objects("10.0.0.2");
    objects.pods[1].uid = "uid-b";
    PolicySource source{[] { return true; }, [&]() -> Result<ObjectSet> { return objects; }};
    AgentOptions options;
    options.node = "node-1";
    Agent agent(options, source, &executor);
    agent.set_conntrack(&flusher);
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
  t.join();
}

}  // namespace
}  // namespace microseg
