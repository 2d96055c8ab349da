// NetlinkConntrackFlusher against the kernel, in a private network
// namespace (its conntrack table is the namespace's own): entries are made
// through ctnetlink, flushed by address, and listed back.
#include "dataplane/nft/conntrack.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <sched.h>
#include <unistd.h>

#include <functional>
#include <set>
#include <string>
#include <thread>

namespace microseg::nft {
namespace {

void InPrivateNetns(const std::function<void()>& body) {
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET) failed";
      return;
    }
    body();
  });
  t.join();
}

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

// A UDP entry src:1000 -> dst:2000, as the kernel makes for a first datagram.
bool CreateUdpEntry(const IpAddress& src, const IpAddress& dst) {
  nfct_handle* h = nfct_open(CONNTRACK, 0);
  if (!h) return false;
  nf_conntrack* ct = nfct_new();
  if (src.is_v4()) {
    nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
    nfct_set_attr(ct, ATTR_IPV4_SRC, src.bytes().data());
    nfct_set_attr(ct, ATTR_IPV4_DST, dst.bytes().data());
  } else {
    nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET6);
    nfct_set_attr(ct, ATTR_IPV6_SRC, src.bytes().data());
    nfct_set_attr(ct, ATTR_IPV6_DST, dst.bytes().data());
  }
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

int Collect(enum nf_conntrack_msg_type, struct nf_conntrack* ct, void* data) {
  char buf[1024];
  nfct_snprintf(buf, sizeof(buf), ct, NFCT_T_UNKNOWN, NFCT_O_PLAIN, 0);
  static_cast<std::vector<std::string>*>(data)->push_back(buf);
  return NFCT_CB_CONTINUE;
}

// The namespace's entries, as `conntrack -L` prints them.
std::vector<std::string> Entries() {
  std::vector<std::string> out;
  nfct_handle* h = nfct_open(CONNTRACK, 0);
  if (!h) return {"cannot open ctnetlink"};
  nfct_callback_register(h, NFCT_T_ALL, Collect, &out);
  uint32_t family = AF_UNSPEC;
  nfct_query(h, NFCT_Q_DUMP, &family);
  nfct_close(h);
  return out;
}

bool Mentions(const std::vector<std::string>& entries, const std::string& text) {
  for (const std::string& e : entries) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ConntrackTest, FlushDeletesTheEntriesOfTheGivenAddressesOnly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  InPrivateNetns([] {
    if (!CreateUdpEntry(Ip("10.1.1.1"), Ip("10.2.2.2"))) GTEST_SKIP() << "ctnetlink not usable here";
    ASSERT_TRUE(CreateUdpEntry(Ip("10.3.3.3"), Ip("10.1.1.1")));  // the address as destination
    ASSERT_TRUE(CreateUdpEntry(Ip("10.5.5.5"), Ip("10.6.6.6")));  // unrelated
    ASSERT_TRUE(CreateUdpEntry(Ip("fd00::1"), Ip("fd00::2")));
    ASSERT_TRUE(CreateUdpEntry(Ip("fd00::3"), Ip("fd00::4")));  // unrelated
    ASSERT_EQ(Entries().size(), 5u);

    NetlinkConntrackFlusher flusher;
    auto flushed = flusher.Flush({Ip("10.1.1.1"), Ip("fd00::2")});
    ASSERT_TRUE(flushed.ok()) << flushed.status().message();
    EXPECT_EQ(*flushed, 3u);
    std::vector<std::string> left = Entries();
    EXPECT_EQ(left.size(), 2u);
    EXPECT_FALSE(Mentions(left, "10.1.1.1"));
    EXPECT_FALSE(Mentions(left, "fd00::2"));
    EXPECT_TRUE(Mentions(left, "src=10.5.5.5 dst=10.6.6.6"));
    EXPECT_TRUE(Mentions(left, "src=fd00::3 dst=fd00::4"));

    // Nothing left to delete is not an error.
    auto again = flusher.Flush({Ip("10.1.1.1")});
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_EQ(*again, 0u);
  });
}

}  // namespace
}  // namespace microseg::nft
