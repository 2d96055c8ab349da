#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

NetworkPolicy ParsePolicy(const std::string& spec) {
  LoadedManifests m = MustParse(
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: "
      "shop}\n" +
      spec + "\n");
  if (m.objects.network_policies.size() != 1) {
    ADD_FAILURE() << "expected one NetworkPolicy";
    return {};
  }
  return m.objects.network_policies[0];
}

TEST(DecodeNetworkPolicy, PolicyTypesDefaulting) {
  struct Case {
    const char* description;
    const char* spec;
    bool ingress, egress;
  };
  const Case cases[] = {
      {"absent policyTypes, no egress: Ingress only", "spec: {podSelector: {}}", true, false},
      {"absent policyTypes, egress rules: Ingress and Egress",
       "spec: {podSelector: {}, egress: [{}]}", true, true},
      {"absent policyTypes, egress: [] is not egress", "spec: {podSelector: {}, egress: []}", true,
       false},
      {"empty policyTypes defaults like absent", "spec: {policyTypes: [], egress: [{}]}", true,
       true},
      {"explicit Egress only", "spec: {policyTypes: [Egress]}", false, true},
      {"explicit Ingress only despite egress rules", "spec: {policyTypes: [Ingress], egress: [{}]}",
       true, false},
      {"explicit both", "spec: {policyTypes: [Ingress, Egress]}", true, true},
      {"absent spec", "", true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    NetworkPolicy np = ParsePolicy(c.spec);
    EXPECT_EQ(np.affects_ingress, c.ingress);
    EXPECT_EQ(np.affects_egress, c.egress);
  }
}

TEST(DecodeNetworkPolicy, AbsentVersusEmpty) {
  NetworkPolicy np = ParsePolicy(R"(spec:
  ingress:
  - {}
  - from: []
    ports: []
  - from: [{podSelector: {}}]
  - from: [{namespaceSelector: {}}]
  - from: [{namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchLabels: {app: db}}}]
  egress: [])");
  EXPECT_TRUE(np.pod_selector.empty());  // absent podSelector: every pod of the namespace
  EXPECT_TRUE(np.egress.empty());
  ASSERT_EQ(np.ingress.size(), 5u);
  // {} and from: [] both mean every peer on every port.
  EXPECT_TRUE(np.ingress[0].peers.empty());
  EXPECT_TRUE(np.ingress[0].ports.empty());
  EXPECT_TRUE(np.ingress[1].peers.empty());
  EXPECT_TRUE(np.ingress[1].ports.empty());
  // podSelector: {} alone: every pod of the policy's namespace.
  ASSERT_EQ(np.ingress[2].peers.size(), 1u);
  EXPECT_TRUE(np.ingress[2].peers[0].pod_selector.has_value());
  EXPECT_FALSE(np.ingress[2].peers[0].namespace_selector.has_value());
  // namespaceSelector: {} alone: every pod of every namespace.
  EXPECT_FALSE(np.ingress[3].peers[0].pod_selector.has_value());
  ASSERT_TRUE(np.ingress[3].peers[0].namespace_selector.has_value());
  EXPECT_TRUE(np.ingress[3].peers[0].namespace_selector->empty());
  const NetworkPolicyPeer& both = np.ingress[4].peers[0];
  EXPECT_EQ(both.namespace_selector->ToString(), "team=a");
  EXPECT_EQ(both.pod_selector->ToString(), "app=db");
}

TEST(DecodeNetworkPolicy, Ports) {
  struct Case {
    const char* description;
    const char* port;
    PortMatch expected;
  };
  const Case cases[] = {
      {"number", "{port: 80}", PortMatch::Range(Protocol::kTCP, 80, 80)},
      {"range", "{port: 8000, endPort: 8080}", PortMatch::Range(Protocol::kTCP, 8000, 8080)},
      {"endPort equal to port", "{port: 53, endPort: 53, protocol: UDP}",
       PortMatch::Range(Protocol::kUDP, 53, 53)},
      {"named", "{port: http}", PortMatch::Named(Protocol::kTCP, "http")},
      {"named UDP", "{port: dns, protocol: UDP}", PortMatch::Named(Protocol::kUDP, "dns")},
      {"protocol only", "{protocol: SCTP}", PortMatch::All(Protocol::kSCTP)},
      {"empty port entry: TCP, all ports", "{}", PortMatch::All(Protocol::kTCP)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    NetworkPolicy np = ParsePolicy(std::string("spec:\n  ingress: [{ports: [") + c.port + "]}]");
    ASSERT_EQ(np.ingress.size(), 1u);
    ASSERT_EQ(np.ingress[0].ports.size(), 1u);
    EXPECT_EQ(np.ingress[0].ports[0], c.expected) << np.ingress[0].ports[0].ToString();
  }
}

TEST(DecodeNetworkPolicy, IpBlock) {
  NetworkPolicy np = ParsePolicy(R"(spec:
  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32]}
    - ipBlock: {cidr: 192.168.1.77/24}
    - ipBlock: {cidr: "fd00::/48", except: ["fd00:0:0:1::/64"]})");
  ASSERT_EQ(np.egress.size(), 1u);
  ASSERT_EQ(np.egress[0].peers.size(), 3u);
  const IpBlock& a = *np.egress[0].peers[0].ip_block;
  EXPECT_EQ(a.cidr.ToString(), "10.0.0.0/8");
  ASSERT_EQ(a.except.size(), 2u);
  EXPECT_EQ(a.except[0].ToString(), "10.1.0.0/16");
  EXPECT_EQ(a.except[1].ToString(), "10.2.3.4/32");
  // Host bits are accepted and masked, as the API server does.
  EXPECT_EQ(np.egress[0].peers[1].ip_block->cidr.ToString(), "192.168.1.0/24");
  EXPECT_EQ(np.egress[0].peers[2].ip_block->except[0].ToString(), "fd00:0:0:1::/64");
  EXPECT_FALSE(np.egress[0].peers[0].pod_selector.has_value());
  EXPECT_TRUE(np.affects_egress);
}

TEST(DecodeNetworkPolicy, SelectorExpressions) {
  NetworkPolicy np = ParsePolicy(R"(spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [a, b]}
    - {key: env, operator: NotIn, values: [dev]}
    - {key: debug, operator: DoesNotExist}
    - {key: team, operator: Exists, values: []})");
  EXPECT_EQ(np.pod_selector.ToString(), "app=web,!debug,env notin (dev),team,tier in (a,b)");
}

}  // namespace
}  // namespace microseg
