#include "index/ip_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "index/identity_table.h"

namespace microseg {
namespace {

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

TEST(IpIndexTest, RemoveOnlyByTheOwnerThatAdded) {
  IpIndex index;
  IpOwner old_pod{EndpointKind::kPod, "x/a", "uid-1", ""};
  IpOwner new_pod{EndpointKind::kPod, "x/b", "uid-2", ""};
  index.Add(Ip("10.0.0.1"), old_pod);
  index.Add(Ip("10.0.0.1"), new_pod);
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b");
  index.Remove(Ip("10.0.0.1"), old_pod);  // late delete of the old owner
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b");
  index.Remove(Ip("10.0.0.1"), {EndpointKind::kPod, "x/b", "uid-other", ""});
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/b") << "uid must match";
  index.Remove(Ip("10.0.0.1"), new_pod);
  EXPECT_EQ(index.Lookup(Ip("10.0.0.1")), nullptr);
}

// With per-node IPAM a stale Running pod and its successor claim one IP;
// every engine must pick the same owner whatever order it saw them in.
TEST(IpIndexTest, TheMostRecentClaimWinsWhateverTheOrderOfAdds) {
  IpOwner old_pod{EndpointKind::kPod, "x/z-old", "uid-9", "2026-01-01T10:00:00Z"};
  IpOwner new_pod{EndpointKind::kPod, "x/a-new", "uid-1", "2026-01-01T10:05:00Z"};
  IpOwner manifest{EndpointKind::kWorkload, "w", "w", ""};  // no timestamp: oldest
  for (bool reversed : {false, true}) {
    IpIndex index;
    std::vector<IpOwner> order{manifest, old_pod, new_pod};
    if (reversed) std::reverse(order.begin(), order.end());
    for (const IpOwner& o : order) index.Add(Ip("10.0.0.1"), o);
    EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/a-new") << "reversed " << reversed;
    EXPECT_TRUE(index.Owns(Ip("10.0.0.1"), EndpointKind::kPod, "x/a-new"));
    EXPECT_FALSE(index.Owns(Ip("10.0.0.1"), EndpointKind::kPod, "x/z-old"));
    index.Remove(Ip("10.0.0.1"), {EndpointKind::kPod, "x/a-new", "uid-1", ""});
    EXPECT_EQ(index.Lookup(Ip("10.0.0.1"))->key, "x/z-old") << "created is not compared by Remove";
  }
  IpIndex tie;  // same second: the uid decides
  tie.Add(Ip("10.0.0.2"), {EndpointKind::kPod, "x/b", "uid-2", "2026-01-01T10:00:00Z"});
  tie.Add(Ip("10.0.0.2"), {EndpointKind::kPod, "x/a", "uid-1", "2026-01-01T10:00:00Z"});
  EXPECT_EQ(tie.Lookup(Ip("10.0.0.2"))->key, "x/b");
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
