// LoadingFromNetns: the load runs in the given namespace and the calling
// thread is back where it was afterwards; everything else passes through.
#include "agent/netns_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "netns/netns.h"
#include "netns/netns_testing.h"

namespace microseg {
namespace {

std::string NodeNetns() { return "ms-nssrctest-" + std::to_string(getpid()); }

class NetnsSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RunCommand({"ip", "netns", "add", NodeNetns()}).ok());
    host_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(host_fd_, 0);
  }
  void TearDown() override {
    if (host_fd_ >= 0) close(host_fd_);
    DeleteNetns(NodeNetns());
  }
  int host_fd_ = -1;
};

TEST_F(NetnsSourceTest, LoadsFromTheGivenNamespaceAndComesBack) {
  const ino_t host = ThreadNetnsInode();
  ino_t loaded_in = 0;
  int changed_calls = 0;
  PolicySource inner;
  inner.changed = [&] { return ++changed_calls > 0; };
  inner.load = [&]() -> Result<ObjectSet> {
    loaded_in = ThreadNetnsInode();
    return ObjectSet{};
  };
  PolicySource source = LoadingFromNetns(inner, host_fd_);

  ScopedNetns in(NodeNetns());  // the agent's thread enforces in the node's
  ASSERT_TRUE(in.status().ok()) << in.status().message();
  const ino_t node = ThreadNetnsInode();
  ASSERT_NE(node, host);
  ASSERT_TRUE(source.load().ok());
  EXPECT_EQ(loaded_in, host);
  EXPECT_EQ(ThreadNetnsInode(), node);
  EXPECT_TRUE(source.changed());  // passed through, not wrapped
  EXPECT_EQ(changed_calls, 1);
  EXPECT_EQ(source.take_deltas, nullptr);
}

TEST_F(NetnsSourceTest, AnUnusableNamespaceFailsTheLoadWithoutCallingIt) {
  bool called = false;
  PolicySource inner;
  inner.changed = [] { return true; };
  inner.load = [&]() -> Result<ObjectSet> {
    called = true;
    return ObjectSet{};
  };
  Result<ObjectSet> loaded = LoadingFromNetns(inner, /*netns_fd=*/-1).load();
  EXPECT_FALSE(loaded.ok());
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace microseg
