// FlowReporter end to end inside a private network namespace: a real
// conntrack entry becomes a record at the controller.
#include "agent/flow_reporter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "dataplane/nft/libnftables_executor.h"
#include "flow/kernel/kernel_test_util.h"

namespace microseg {
namespace {

using namespace std::chrono_literals;

// Conntrack runs in a namespace only once a rule uses it; the agent's own
// table does (ct state), this one stands in for it.
constexpr char kConntrackUser[] = R"(
table inet ctuser {
  chain out {
    type filter hook output priority 0; policy accept;
    ct state new counter
  }
}
)";

void UseConntrack() {
  nft::LibNftablesExecutor exec;
  Status s = exec.Run(kConntrackUser);
  ASSERT_TRUE(s.ok()) << s.message();
}

// True when the controller holds a UDP record to `port`.
bool ControllerHasUdpFlowTo(const ApiClient& client, uint16_t port) {
  auto flows = client.QueryFlows("");
  if (!flows.ok()) return false;
  for (const auto& item : (*flows)["items"]) {
    if (item.value("protocol", "") == "UDP" && item.value("port", 0) == port) return true;
  }
  return false;
}

TEST(FlowReporterTest, ConntrackRecordsReachTheController) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  kernel_test::InPrivateNetns([] {
    ASSERT_TRUE(kernel_test::LoopbackUp());
    UseConntrack();
    testing::TempDir dir;
    ControllerOptions co;
    co.listen = "127.0.0.1:0";
    co.data_dir = dir.path();
    auto controller = Controller::Start(co);
    ASSERT_TRUE(controller.ok()) << controller.status().message();
    ApiClient client((*controller)->url(), (*controller)->token());

    FlowReporterOptions options;
    options.node = "node-1";
    options.server = (*controller)->url();
    options.token = (*controller)->token();
    options.log_group = 4242;  // the namespace is private: any free group
    options.interval = 50ms;
    std::vector<std::string> logged;
    FlowReporter reporter(options, [&](const std::string& m) { logged.push_back(m); });
    Status started = reporter.Start();
    if (!started.ok()) GTEST_SKIP() << "no collector can run here: " << started.message();

    ASSERT_TRUE(kernel_test::UdpExchange("127.0.0.1", "127.0.0.1", 5353));
    // Deleting the entry makes the kernel report it now, with its counters.
    ASSERT_TRUE(kernel_test::FlushConntrack());
    bool seen = false;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         !seen && std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
      seen = ControllerHasUdpFlowTo(client, 5353);
    }
    reporter.Stop();
    EXPECT_TRUE(seen) << "no UDP/5353 record reached the controller";
    EXPECT_GT(reporter.shipped(), 0u);
    EXPECT_EQ(reporter.lost(), 0u);
  });
}

TEST(FlowReporterTest, ShipmentsToAnAbsentControllerAreCountedAsLost) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  kernel_test::InPrivateNetns([] {
    ASSERT_TRUE(kernel_test::LoopbackUp());
    UseConntrack();
    FlowReporterOptions options;
    options.node = "node-1";
    options.server = "http://127.0.0.1:1";  // nothing listens
    options.token = "t";
    options.log_group = 4243;
    options.interval = 1h;  // only the final shipment of Stop()
    std::vector<std::string> logged;
    FlowReporter reporter(options, [&](const std::string& m) { logged.push_back(m); });
    Status started = reporter.Start();
    if (!started.ok()) GTEST_SKIP() << "no collector can run here: " << started.message();
    ASSERT_TRUE(kernel_test::UdpExchange("127.0.0.1", "127.0.0.1", 5354));
    ASSERT_TRUE(kernel_test::FlushConntrack());
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         reporter.collected() == 0 && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(20ms);  // until the DESTROY event is read
    }
    ASSERT_GT(reporter.collected(), 0u);
    reporter.Stop();
    EXPECT_EQ(reporter.shipped(), 0u);
    EXPECT_GT(reporter.lost(), 0u);
    EXPECT_FALSE(logged.empty());
  });
}

}  // namespace
}  // namespace microseg
