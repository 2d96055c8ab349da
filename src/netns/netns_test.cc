// ScopedNetns enters and leaves; the listing and deletion helpers find
// only their prefix. Creates one namespace of its own (root).
#include "netns/netns.h"
#include "netns/netns_testing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace microseg {
namespace {

std::string TestNetns() { return "ms-netnstest-" + std::to_string(getpid()); }

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RunCommand({"ip", "netns", "add", TestNetns()}).ok()); }
  void TearDown() override {
    for (const std::string& ns : ListNetns(TestNetns())) DeleteNetns(ns);
  }
};

TEST_F(NetnsTest, EntersAndLeavesByName) {
  const ino_t host = ThreadNetnsInode();
  {
    ScopedNetns in(TestNetns());
    ASSERT_TRUE(in.status().ok()) << in.status().message();
    EXPECT_NE(ThreadNetnsInode(), host);
  }
  EXPECT_EQ(ThreadNetnsInode(), host);
}

TEST_F(NetnsTest, StepsBackByDescriptor) {
  const ino_t host = ThreadNetnsInode();
  int host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(host_fd, 0);
  {
    ScopedNetns in(TestNetns());
    ASSERT_TRUE(in.status().ok());
    const ino_t inside = ThreadNetnsInode();
    {
      ScopedNetns back(host_fd);
      ASSERT_TRUE(back.status().ok());
      EXPECT_EQ(ThreadNetnsInode(), host);
    }
    EXPECT_EQ(ThreadNetnsInode(), inside);
  }
  close(host_fd);
}

TEST_F(NetnsTest, UnknownNameFailsAndStaysPut) {
  const ino_t host = ThreadNetnsInode();
  {
    ScopedNetns in(TestNetns() + "-missing");
    EXPECT_FALSE(in.status().ok());
    EXPECT_EQ(ThreadNetnsInode(), host);
  }
  EXPECT_EQ(ThreadNetnsInode(), host);
}

TEST_F(NetnsTest, SysctlIsSetInTheNamespaceOnly) {
  ASSERT_TRUE(SetSysctl(TestNetns(), "net.ipv4.ip_forward", "1").ok());
  ScopedNetns in(TestNetns());
  ASSERT_TRUE(in.status().ok());
  std::ifstream f("/proc/sys/net/ipv4/ip_forward");
  std::string value;
  f >> value;
  EXPECT_EQ(value, "1");
  EXPECT_FALSE(SetSysctl(TestNetns() + "-missing", "net.ipv4.ip_forward", "1").ok());
}

TEST_F(NetnsTest, ListsAndDeletesByPrefix) {
  ASSERT_EQ(ListNetns(TestNetns()), std::vector<std::string>{TestNetns()});
  EXPECT_TRUE(ListNetns(TestNetns() + "-other").empty());
  ASSERT_TRUE(DeleteNetns(TestNetns()).ok());
  EXPECT_TRUE(ListNetns(TestNetns()).empty());
}

}  // namespace
}  // namespace microseg
