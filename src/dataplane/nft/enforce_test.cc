// Packets through the real table, in a private network namespace: enforced
// drops are logged to NFLOG (rate-limited, new connections only) with the
// prefix the collector maps to `deny`, and the packet mark and ct mark that
// other software set survive microseg's use of the mark as a scratch
// register (docs/DATAPLANE.md, "The packet mark").
//
// Traffic leaves through the output hook: the namespace's own address
// 10.9.0.1 on one end of a veth pair is the local endpoint (egress enforced),
// 10.9.0.2 behind it the peer. Other tables of the test, before (priority
// -10) and after (+10) microseg's, set marks and check them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "dataplane/nft/dataplane.h"
#include "dataplane/nft/libnftables_executor.h"
#include "flow/kernel/nflog_collector.h"
#include "plan/plan_test_util.h"

namespace microseg::nft {
namespace {

using namespace plantest;
using A = EffectiveRule::Action;

void InPrivateNetns(const std::function<void()>& body) {
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
      return;
    }
    body();
  });
  t.join();
}

class EnforceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    bool ok = false;
    InPrivateNetns([&] { ok = NftablesAvailable(); });
    if (!ok) GTEST_SKIP() << "nftables not usable here";
  }
};

// 10.9.0.1 may send UDP 7777-7780 to 10.9.0.2; everything else it sends is
// dropped.
Plan EgressPlan(uint16_t group, uint32_t deny_log_rate) {
  EffectiveRule eg = Rule("x/np", "egress[0]", A::kAllow, {Ep("y/peer", "10.9.0.2")},
                          {PortMatch::Range(Protocol::kUDP, 7777, 7780)});
  CompileInput input;
  input.node = "n1";
  input.locals.push_back(LocalOf(Ep("x/a", "10.9.0.1"), PolicyEngine::DirectionRules{}, Rules({eg}, true)));
  PlanOptions options;
  options.failsafe_inbound.clear();
  options.failsafe_outbound.clear();
  options.log_group = group;
  options.deny_log_rate = deny_log_rate;
  return Compile(input, options);
}

bool SetUpInterface() {
  return std::system("ip link set lo up && ip link add d0 type veth peer name d1 && "
                     "ip link set d0 up && ip link set d1 up && ip addr add 10.9.0.1/24 dev d0 && "
                     "ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0") == 0;
}

// One datagram from 10.9.0.1:src_port to 10.9.0.2:port; errno when refused.
int SendUdp(uint16_t port, uint16_t src_port = 0) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_port = htons(src_port);
  inet_pton(AF_INET, "10.9.0.1", &from.sin_addr);
  int err = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
    err = errno;
  } else {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "10.9.0.2", &to.sin_addr);
    if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 1) err = errno;
  }
  close(fd);
  return err;
}

TEST_F(EnforceTest, EnforcedDropsAreLoggedAsDenyAndRateLimited) {
  InPrivateNetns([] {
    ASSERT_TRUE(SetUpInterface());
    LibNftablesExecutor exec;
    NftDataplane dp(&exec);
    constexpr uint16_t kGroup = 4301;
    Status s = dp.Apply(EgressPlan(kGroup, /*deny_log_rate=*/5));
    ASSERT_TRUE(s.ok()) << s.message();

    std::mutex mu;
    std::vector<FlowRecord> records;
    NflogCollector collector(NflogOptions{.node = "n1", .group = kGroup}, [&](FlowRecord&& r) {
      std::lock_guard<std::mutex> g(mu);
      records.push_back(std::move(r));
    });
    s = collector.Start();
    ASSERT_TRUE(s.ok()) << s.message();

    EXPECT_EQ(SendUdp(7777), 0) << "allowed";
    // 60 new flows (distinct source ports) to a port policy does not allow.
    for (uint16_t i = 0; i < 60; ++i) EXPECT_EQ(SendUdp(8888, static_cast<uint16_t>(40000 + i)), EPERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    collector.Stop();

    std::lock_guard<std::mutex> g(mu);
    size_t denies = 0;
    for (const FlowRecord& r : records) {
      EXPECT_EQ(r.verdict, FlowVerdict::kDeny);
      EXPECT_EQ(r.src.ToString(), "10.9.0.1");
      EXPECT_EQ(r.dst.ToString(), "10.9.0.2");
      EXPECT_EQ(r.protocol, Protocol::kUDP);
      EXPECT_EQ(r.port, 8888) << "only drops are logged";
      denies += r.verdict == FlowVerdict::kDeny;
    }
    EXPECT_GE(denies, 1u) << "no deny record";
    // Burst 5 plus 5/s over well under two seconds.
    EXPECT_LE(denies, 15u) << "the table-wide limit did not hold";
  });
}

TEST_F(EnforceTest, DenyLogRateZeroIsSilent) {
  InPrivateNetns([] {
    ASSERT_TRUE(SetUpInterface());
    LibNftablesExecutor exec;
    NftDataplane dp(&exec);
    constexpr uint16_t kGroup = 4302;
    ASSERT_TRUE(dp.Apply(EgressPlan(kGroup, 0)).ok());
    std::mutex mu;
    size_t n = 0;
    NflogCollector collector(NflogOptions{.node = "n1", .group = kGroup}, [&](FlowRecord&&) {
      std::lock_guard<std::mutex> g(mu);
      ++n;
    });
    ASSERT_TRUE(collector.Start().ok());
    EXPECT_EQ(SendUdp(8888), EPERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    collector.Stop();
    std::lock_guard<std::mutex> g(mu);
    EXPECT_EQ(n, 0u);
  });
}

// Another tool's table marks packets before microseg's and checks them
// after it: every allowed flow must leave with the marks it came with.
TEST_F(EnforceTest, PacketAndConntrackMarksSurvive) {
  InPrivateNetns([] {
    ASSERT_TRUE(SetUpInterface());
    LibNftablesExecutor exec;
    ASSERT_TRUE(exec.Run(R"(table inet other {
  chain raw {
    type filter hook output priority raw; policy accept;
    udp dport 7780 notrack
  }
  chain before {
    type filter hook output priority -10; policy accept;
    udp dport 7777 meta mark set 0x1234
    udp dport 7778 meta mark set 0x55 ct mark set 0x55
    udp dport 7780 meta mark set 0x0
  }
  chain after {
    type filter hook output priority 10; policy accept;
    udp dport 7777 meta mark != 0x1234 drop
    udp dport 7777 ct mark != 0 drop
    udp dport 7778 meta mark != 0x55 drop
    udp dport 7778 ct mark != 0x55 drop
    udp dport 7779 meta mark != 0 drop
    udp dport 7779 ct mark != 0 drop
    udp dport 7780 meta mark != 0 drop
  }
}
)").ok());
    NftDataplane dp(&exec);
    ASSERT_TRUE(dp.Apply(EgressPlan(4303, 0)).ok());
    EXPECT_EQ(SendUdp(7777), 0) << "packet mark set, no ct mark: both as they were";
    EXPECT_EQ(SendUdp(7778), 0) << "packet and ct mark set (CONNMARK style): both as they were";
    EXPECT_EQ(SendUdp(7779), 0) << "no marks: none added";
    EXPECT_EQ(SendUdp(7780), 0) << "untracked, no mark: none added";
    EXPECT_EQ(SendUdp(8888), EPERM) << "microseg still enforces";
  });
}

}  // namespace
}  // namespace microseg::nft
