// RunAgentDaemon: what it refuses before starting, and one sync (--once)
// enforcing in the namespace it is given while the caller stays put.
#include "agent/daemon.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "dataplane/nft/libnftables_executor.h"
#include "netns/netns.h"
#include "netns/netns_testing.h"

namespace microseg {
namespace {

constexpr char kManifests[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: db-1, labels: {app: db}}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.2.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
)";

std::string TestName() { return "ms-daemontest-" + std::to_string(getpid()); }

AgentDaemonOptions ManifestOptions(const std::string& path) {
  AgentDaemonOptions o;
  o.agent.node = "n1";
  o.paths = {path};
  o.once = true;
  o.log = [](const std::string&) {};
  return o;
}

class AgentDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_ = (std::filesystem::temp_directory_path() / (TestName() + ".yaml")).string();
    std::ofstream(manifest_) << kManifests;
  }
  void TearDown() override {
    std::filesystem::remove(manifest_);
    for (const std::string& ns : ListNetns(TestName())) DeleteNetns(ns);
  }
  std::string manifest_;
};

TEST_F(AgentDaemonTest, RefusesToStartWithoutASource) {
  AgentDaemonOptions o = ManifestOptions(manifest_);
  o.paths.clear();
  EXPECT_FALSE(RunAgentDaemon(o).ok());
}

TEST_F(AgentDaemonTest, AMissingNamespaceFailsToStartAndNamesTheFlag) {
  AgentDaemonOptions o = ManifestOptions(manifest_);
  o.netns = TestName() + "-missing";
  const ino_t here = ThreadNetnsInode();
  Status s = RunAgentDaemon(o);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--netns " + o.netns), std::string::npos) << s.message();
  EXPECT_EQ(ThreadNetnsInode(), here);
}

TEST_F(AgentDaemonTest, ACertificateNeedsAnHttpsController) {
  AgentDaemonOptions o = ManifestOptions(manifest_);
  o.paths.clear();
  AgentCertificateOptions cert;
  cert.controller = "http://127.0.0.1:1";
  cert.node = "n1";
  o.certificate = cert;
  Status s = RunAgentDaemon(o);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("https://"), std::string::npos) << s.message();
}

TEST_F(AgentDaemonTest, OnceEnforcesInTheGivenNamespaceAndLeavesTheCallerWhereItWas) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
  ASSERT_TRUE(RunCommand({"ip", "netns", "add", TestName()}).ok());
  AgentDaemonOptions o = ManifestOptions(manifest_);
  o.netns = TestName();
  const ino_t here = ThreadNetnsInode();
  Status s = RunAgentDaemon(o);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ThreadNetnsInode(), here);

  ScopedNetns in(TestName());
  ASSERT_TRUE(in.status().ok());
  nft::LibNftablesExecutor look;  // the node's ruleset
  auto table = look.ListTableJson();
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_TRUE(table->has_value()) << "the table is in --netns";
}

}  // namespace
}  // namespace microseg
