#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

TEST(DecodeAdminNetworkPolicy, AllFields) {
  LoadedManifests m = MustParse(R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: cluster-guard}
spec:
  priority: 10
  subject:
    pods:
      namespaceSelector: {matchLabels: {env: prod}}
      podSelector: {matchLabels: {app: web}}
  ingress:
  - name: deny-from-dev
    action: Deny
    from:
    - namespaces: {matchLabels: {env: dev}}
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {role: scanner}}
  - name: pass-monitoring
    action: Pass
    from: [{namespaces: {matchLabels: {team: monitoring}}}]
    ports:
    - portNumber: {port: 9090}
    - namedPort: metrics
    - portRange: {protocol: UDP, start: 5000, end: 5100}
  egress:
  - name: allow-dns
    action: Allow
    to:
    - nodes: {matchLabels: {role: dns}}
    - networks: [10.0.0.0/8, "fd00::/8"]
    ports: [{portNumber: {protocol: UDP, port: 53}}]
)");
  ASSERT_EQ(m.objects.admin_network_policies.size(), 1u);
  const AdminNetworkPolicy& anp = m.objects.admin_network_policies[0];
  EXPECT_EQ(anp.name, "cluster-guard");
  EXPECT_FALSE(anp.baseline);
  EXPECT_EQ(anp.priority, 10);
  EXPECT_EQ(anp.subject.namespace_selector.ToString(), "env=prod");
  ASSERT_TRUE(anp.subject.pod_selector.has_value());
  EXPECT_EQ(anp.subject.pod_selector->ToString(), "app=web");

  ASSERT_EQ(anp.ingress.size(), 2u);
  const AdminRule& deny = anp.ingress[0];
  EXPECT_EQ(deny.name, "deny-from-dev");
  EXPECT_EQ(deny.action, AdminAction::kDeny);
  EXPECT_FALSE(deny.ports.has_value());  // absent: all ports
  ASSERT_EQ(deny.peers.size(), 2u);
  EXPECT_EQ(deny.peers[0].kind, AdminPeer::Kind::kNamespaces);
  EXPECT_EQ(deny.peers[0].namespace_selector.ToString(), "env=dev");
  EXPECT_EQ(deny.peers[1].kind, AdminPeer::Kind::kPods);
  EXPECT_TRUE(deny.peers[1].namespace_selector.empty());
  EXPECT_EQ(deny.peers[1].pod_selector.ToString(), "role=scanner");

  const AdminRule& pass = anp.ingress[1];
  EXPECT_EQ(pass.action, AdminAction::kPass);
  ASSERT_TRUE(pass.ports.has_value());
  EXPECT_EQ(*pass.ports, (std::vector<PortMatch>{PortMatch::Range(Protocol::kTCP, 9090, 9090),
                                                 PortMatch::Named(Protocol::kTCP, "metrics"),
                                                 PortMatch::Range(Protocol::kUDP, 5000, 5100)}));

  ASSERT_EQ(anp.egress.size(), 1u);
  const AdminRule& dns = anp.egress[0];
  EXPECT_EQ(dns.action, AdminAction::kAllow);
  ASSERT_EQ(dns.peers.size(), 2u);
  EXPECT_EQ(dns.peers[0].kind, AdminPeer::Kind::kNodes);
  EXPECT_EQ(dns.peers[0].node_selector.ToString(), "role=dns");
  EXPECT_EQ(dns.peers[1].kind, AdminPeer::Kind::kNetworks);
  ASSERT_EQ(dns.peers[1].networks.size(), 2u);
  EXPECT_EQ(dns.peers[1].networks[1].ToString(), "fd00::/8");
  EXPECT_EQ(*dns.ports, (std::vector<PortMatch>{PortMatch::Range(Protocol::kUDP, 53, 53)}));
}

TEST(DecodeAdminNetworkPolicy, NamespacesSubject) {
  LoadedManifests m = MustParse(R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec: {priority: 0, subject: {namespaces: {}}}
)");
  ASSERT_EQ(m.objects.admin_network_policies.size(), 1u);
  const AdminNetworkPolicy& anp = m.objects.admin_network_policies[0];
  EXPECT_EQ(anp.priority, 0);
  EXPECT_TRUE(anp.subject.namespace_selector.empty());
  EXPECT_FALSE(anp.subject.pod_selector.has_value());
  EXPECT_TRUE(anp.ingress.empty());
  EXPECT_TRUE(anp.egress.empty());
}

TEST(DecodeBaselineAdminNetworkPolicy, StoredAsTheSingleton) {
  LoadedManifests m = MustParse(R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
)");
  EXPECT_TRUE(m.objects.admin_network_policies.empty());
  ASSERT_TRUE(m.objects.baseline_admin_network_policy.has_value());
  const AdminNetworkPolicy& banp = *m.objects.baseline_admin_network_policy;
  EXPECT_TRUE(banp.baseline);
  EXPECT_EQ(banp.name, "default");
  EXPECT_EQ(banp.priority, 0);
  ASSERT_EQ(banp.ingress.size(), 1u);
  EXPECT_EQ(banp.ingress[0].action, AdminAction::kDeny);
  EXPECT_EQ(m.objects.size(), 1u);
}

}  // namespace
}  // namespace microseg
