#include "agent/address_owners.h"

#include <gtest/gtest.h>

#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

Pod PodWithUid(const char* name, const char* ip, const char* uid) {
  Pod p = MakePod("x", name, L({{"app", name}}), ip);
  p.uid = uid;
  return p;
}

TEST(AddressOwnersTest, PodsByUidWorkloadsAndNodesByName) {
  ObjectSet o;
  o.pods.push_back(PodWithUid("a", "10.0.0.1", "uid-a"));
  Pod host = PodWithUid("h", "10.0.9.9", "uid-h");
  host.host_network = true;  // the node's address, not its own
  o.pods.push_back(host);
  Pod done = PodWithUid("d", "10.0.0.4", "uid-d");
  done.phase = "Succeeded";  // holds no IP any more
  o.pods.push_back(done);
  Workload w;
  w.name = "db";
  w.ips = {Ip("192.168.0.5")};
  o.workloads.push_back(w);
  o.nodes.push_back(Node{"n1", {}, {Ip("10.0.9.9")}});
  EXPECT_EQ(OwnersOf(o), (AddressOwners{{Ip("10.0.0.1"), "pod uid-a"},
                                        {Ip("10.0.9.9"), "node n1"},
                                        {Ip("192.168.0.5"), "workload db"}}));
}

TEST(AddressOwnersTest, ChangesAreAppearedDisappearedAndNewOwners) {
  AddressOwners before = {{Ip("10.0.0.1"), "pod a"}, {Ip("10.0.0.2"), "pod b"}, {Ip("10.0.0.3"), "pod c"}};
  AddressOwners after = {{Ip("10.0.0.1"), "pod a"}, {Ip("10.0.0.2"), "pod b2"}, {Ip("10.0.0.4"), "pod d"}};
  EXPECT_EQ(OwnerChanges(before, after), (std::vector<IpAddress>{Ip("10.0.0.2"), Ip("10.0.0.3"), Ip("10.0.0.4")}));
  EXPECT_TRUE(OwnerChanges(after, after).empty());
}

}  // namespace
}  // namespace microseg
