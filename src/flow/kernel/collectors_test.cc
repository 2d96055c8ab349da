// The collectors against a real kernel, each test in a private network
// namespace of its own: loopback traffic must come back as FlowRecords with
// the right tuple and counters. Needs root and nftables; skips otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "dataplane/nft/libnftables_executor.h"
#include "flow/kernel/conntrack_collector.h"
#include "flow/kernel/kernel_test_util.h"
#include "flow/kernel/nflog_collector.h"

namespace microseg {
namespace {

using kernel_test::InPrivateNetns;
using kernel_test::Records;
using kernel_test::Tuple;

// `ct state` makes the namespace track connections (conntrack hooks are
// registered per namespace only when a ruleset needs them, as microseg's
// table does); the log rule stands in for microseg's in_log chain.
constexpr char kTestTable[] = R"(
table inet flowtest {
  chain out {
    type filter hook output priority 0; policy accept;
    ct state new counter
  }
  chain in {
    type filter hook input priority 0; policy accept;
    udp dport 9999 log group 7 prefix "microseg would-deny ingress: "
    tcp dport 9998 log group 7 prefix "microseg deny ingress: "
    udp dport 9997 log group 7 prefix "someone else: "
  }
}
)";

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    bool ok = false;
    InPrivateNetns([&] { ok = nft::NftablesAvailable(); });
    if (!ok) GTEST_SKIP() << "nftables not usable here";
  }

  // Loopback up and the test table, in the calling thread's namespace.
  static void Prepare() {
    ASSERT_TRUE(kernel_test::LoopbackUp());
    nft::LibNftablesExecutor exec;
    Status s = exec.Run(kTestTable);
    ASSERT_TRUE(s.ok()) << s.message();
  }
};

TEST_F(CollectorTest, ConntrackReportsUdpAndTcpWithCounters) {
  InPrivateNetns([] {
    ASSERT_NO_FATAL_FAILURE(Prepare());
    Records records;
    ConntrackOptions options;
    options.node = "n1";
    ConntrackCollector collector(options, records.Sink());
    Status s = collector.Start();
    ASSERT_TRUE(s.ok()) << s.message();
    for (const std::string& w : collector.warnings()) ADD_FAILURE() << w;

    ASSERT_TRUE(kernel_test::UdpExchange("127.0.0.1", "127.0.0.2", 5353));
    ASSERT_TRUE(kernel_test::TcpExchange("127.0.0.1", 8080, 1000));
    auto udp_tuple = Tuple("127.0.0.1", "127.0.0.2", Protocol::kUDP, 5353, FlowVerdict::kAllow);
    auto tcp_tuple = Tuple("127.0.0.1", "127.0.0.1", Protocol::kTCP, 8080, FlowVerdict::kAllow);
    auto started = [](auto tuple) {
      return [tuple](const FlowRecord& r) { return tuple(r) && r.flows == 1; };
    };
    auto ended = [](auto tuple) {
      return [tuple](const FlowRecord& r) { return tuple(r) && r.flows == 0; };
    };
    // Both are reported at their start, while their entries still live
    // (the TCP one in TIME_WAIT), with no counters yet.
    for (const auto& tuple : {udp_tuple, tcp_tuple}) {
      auto start = records.WaitFor(started(tuple));
      ASSERT_TRUE(start) << "no start record; got " << records.All().size() << " records";
      EXPECT_EQ(start->packets, 0u);
      EXPECT_EQ(start->node, "n1");
      EXPECT_EQ(start->first, start->last);
    }
    EXPECT_FALSE(records.WaitFor(ended(tcp_tuple), std::chrono::seconds(0)))
        << "the TCP connection has not ended yet";
    ASSERT_TRUE(kernel_test::FlushConntrack());

    // Their ends carry the counters, as counter updates (flows 0): one
    // connection each, counted once.
    auto udp = records.WaitFor(ended(udp_tuple));
    ASSERT_TRUE(udp) << "no UDP end record; got " << records.All().size() << " records";
    EXPECT_EQ(udp->packets, 2u);  // the datagram and its reply
    EXPECT_EQ(udp->bytes, 2u * (20 + 8 + 4));
    EXPECT_EQ(udp->node, "n1");
    EXPECT_GT(udp->first, 0);
    EXPECT_GE(udp->last, udp->first);

    auto tcp = records.WaitFor(ended(tcp_tuple));
    ASSERT_TRUE(tcp) << "no TCP end record";
    EXPECT_GE(tcp->packets, 6u);  // handshake, data both ways, FINs
    EXPECT_GT(tcp->bytes, 2000u);
    collector.Stop();
    EXPECT_GE(collector.stats().records, 4u);
    uint64_t connections = 0;
    for (const FlowRecord& r : records.All()) {
      if (udp_tuple(r) || tcp_tuple(r)) connections += r.flows;
    }
    EXPECT_EQ(connections, 2u);
  });
}

TEST_F(CollectorTest, NflogReportsWouldDenyAndDenyByPrefix) {
  InPrivateNetns([] {
    ASSERT_NO_FATAL_FAILURE(Prepare());
    Records records;
    NflogOptions options;
    options.node = "n2";
    options.group = 7;
    NflogCollector collector(options, records.Sink());
    Status s = collector.Start();
    ASSERT_TRUE(s.ok()) << s.message();

    ASSERT_TRUE(kernel_test::UdpExchange("127.0.0.1", "127.0.0.3", 9999));
    ASSERT_TRUE(kernel_test::UdpExchange("127.0.0.1", "127.0.0.3", 9997));  // not ours
    ASSERT_TRUE(kernel_test::TcpExchange("127.0.0.4", 9998, 10));

    auto would = records.WaitFor(Tuple("127.0.0.1", "127.0.0.3", Protocol::kUDP, 9999,
                                       FlowVerdict::kWouldDeny));
    ASSERT_TRUE(would) << "no would-deny record; got " << records.All().size();
    EXPECT_EQ(would->packets, 1u);
    EXPECT_EQ(would->bytes, 20u + 8 + 4);
    EXPECT_EQ(would->node, "n2");
    auto deny = records.WaitFor(Tuple("127.0.0.1", "127.0.0.4", Protocol::kTCP, 9998,
                                      FlowVerdict::kDeny));
    ASSERT_TRUE(deny) << "no deny record";
    collector.Stop();
    for (const FlowRecord& r : records.All()) EXPECT_NE(r.port, 9997) << "foreign prefix reported";
    EXPECT_GE(collector.stats().skipped, 1u);
  });
}

TEST_F(CollectorTest, NflogGroupTakenIsAnError) {
  InPrivateNetns([] {
    Records records;
    NflogOptions options;
    options.group = 8;
    NflogCollector first(options, records.Sink()), second(options, records.Sink());
    ASSERT_TRUE(first.Start().ok());
    Status s = second.Start();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("nflog group 8"), std::string::npos) << s.message();
  });
}

// Not a test: the ingest rate for docs/PERFORMANCE.md ("Flows"). Run with
// --gtest_also_run_disabled_tests --gtest_filter='*MeasureIngestRate'.
TEST_F(CollectorTest, DISABLED_MeasureIngestRate) {
  InPrivateNetns([] {
    ASSERT_NO_FATAL_FAILURE(Prepare());
    constexpr int kFlows = 50000;
    std::atomic<int> got{0};
    auto count = [&got](FlowRecord&&) { got.fetch_add(1); };
    // Conntrack: only the ends (counter updates); the starts came while sending.
    auto count_ends = [&got](FlowRecord&& r) {
      if (r.flows == 0) got.fetch_add(1);
    };
    auto wait_for = [&got](int n) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (got.load() < n && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto send_each = [sock](uint16_t base_port, int n) {
      sockaddr_in to = kernel_test::Loopback4(0);
      for (int i = 0; i < n; ++i) {  // one conntrack entry per destination
        to.sin_addr.s_addr = htonl(0x7f000000u | static_cast<uint32_t>(2 + i / 60000));
        to.sin_port = htons(static_cast<uint16_t>(base_port + i % 60000));
        sendto(sock, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      }
    };
    {
      ConntrackOptions options;
      options.max_pending = kFlows;
      ConntrackCollector collector(options, count_ends);
      ASSERT_TRUE(collector.Start().ok());
      send_each(1, kFlows);
      got = 0;
      auto start = std::chrono::steady_clock::now();
      ASSERT_TRUE(kernel_test::FlushConntrack());
      wait_for(kFlows);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("conntrack: %d DESTROY records in %.3f s (%.0f/s), overruns %llu\n", got.load(),
                  s, got.load() / s, static_cast<unsigned long long>(collector.stats().overruns));
    }
    {
      nft::LibNftablesExecutor exec;
      ASSERT_TRUE(exec.Run("add rule inet flowtest in udp dport 20000-65535 log group 9 prefix "
                           "\"microseg would-deny ingress: \"\n")
                      .ok());
      got = 0;
      NflogOptions options;
      options.group = 9;
      NflogCollector collector(options, count);
      ASSERT_TRUE(collector.Start().ok());
      ASSERT_TRUE(kernel_test::FlushConntrack());
      auto start = std::chrono::steady_clock::now();
      send_each(20000, 40000);  // ports 20000..59999
      wait_for(40000);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("nflog: %d records in %.3f s (%.0f/s), overruns %llu\n", got.load(), s,
                  got.load() / s, static_cast<unsigned long long>(collector.stats().overruns));
    }
    close(sock);
  });
}

}  // namespace
}  // namespace microseg
