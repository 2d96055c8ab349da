#include "index/ip_index.h"

#include <gtest/gtest.h>

#include "index/identity_table.h"

namespace microseg {
namespace {

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

TEST(IpIndexTest, RemoveOnlyByTheOwnerThatAdded) {
  IpIndex index;
  IpOwner old_pod{EndpointKind::kPod, "x/a", "uid-1"};
  IpOwner new_pod{EndpointKind::kPod, "x/b", "uid-2"};
  index.Add(Ip("10.0.0.1"), old_pod);
  index.Add(Ip("10.0.0.1"), new_pod);
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b");
  index.Remove(Ip("10.0.0.1"), old_pod);  // late delete of the old owner
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b");
  index.Remove(Ip("10.0.0.1"), {EndpointKind::kPod, "x/b", "uid-other"});
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b") << "uid must match";
  index.Remove(Ip("10.0.0.1"), new_pod);
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1")), nullptr);
}

TEST(PrefixTableTest, LongestMatchPerFamily) {
  PrefixTable t;
  t.Insert(*Cidr::Parse("0.0.0.0/0"), 0);
  t.Insert(*Cidr::Parse("10.0.0.0/8"), 1);
  t.Insert(*Cidr::Parse("10.1.0.0/16"), 2);
  t.Insert(*Cidr::Parse("fd00::/8"), 3);
  EXPECT_EQ(t.LongestMatch(Ip("10.1.2.3")), 2);
  EXPECT_EQ(t.LongestMatch(Ip("10.2.0.1")), 1);
  EXPECT_EQ(t.LongestMatch(Ip("8.8.8.8")), 0);
  EXPECT_EQ(t.LongestMatch(Ip("fd12::1")), 3);
  EXPECT_EQ(t.LongestMatch(Ip("2001:db8::1")), std::nullopt);
  EXPECT_EQ(t.AllMatches(Ip("10.1.0.0")), (std::vector<int>{0, 1, 2}));
}

TEST(IdentityTableTest, PodsWithEqualLabelsShareAnIdentity) {
  IdentityTable t;
  Labels web{{"app", "web"}};
  IdentityId a = t.Join(EndpointKind::kPod, "x", web, false, "x/a");
  IdentityId b = t.Join(EndpointKind::kPod, "x", web, false, "x/b");
  IdentityId c = t.Join(EndpointKind::kPod, "y", web, false, "y/a");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(t.live_count(), 2u);
  uint64_t first = t.Get(c).incarnation;
  t.Leave(c, "y/a");
  EXPECT_EQ(t.live_count(), 1u);
  IdentityId d = t.Join(EndpointKind::kNode, "", web, false, "n1");
  EXPECT_EQ(d, c) << "ids are reused";
  EXPECT_NE(t.Get(d).incarnation, first) << "but never look like the old identity";
}

}  // namespace
}  // namespace microseg
