#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

TEST(DecodeWorkload, ManagedAndUnmanaged) {
  LoadedManifests m = MustParse(R"(
apiVersion: microseg.io/v1alpha1
kind: Workload
metadata: {name: billing-vm, labels: {app: billing}}
spec:
  ips: [192.168.10.5, "fd00:10::5"]
  host: hv-01
  ports:
  - {name: https, port: 8443}
  - {name: syslog, port: 514, protocol: UDP}
---
apiVersion: microseg.io/v1alpha1
kind: Workload
metadata: {name: managed-db}
spec: {ips: [10.50.0.9], unmanaged: true}
)");
  ASSERT_EQ(m.objects.workloads.size(), 2u);
  const Workload& vm = m.objects.workloads[0];
  EXPECT_EQ(vm.name, "billing-vm");
  EXPECT_EQ(vm.labels, (Labels{{"app", "billing"}}));
  EXPECT_EQ(vm.ips, (std::vector<IpAddress>{Ip("192.168.10.5"), Ip("fd00:10::5")}));
  EXPECT_EQ(vm.host, "hv-01");
  EXPECT_FALSE(vm.unmanaged);
  ASSERT_EQ(vm.ports.size(), 2u);
  EXPECT_EQ(vm.ports[1].name, "syslog");
  EXPECT_EQ(vm.ports[1].port, 514);
  EXPECT_EQ(vm.ports[1].protocol, Protocol::kUDP);
  const Workload& db = m.objects.workloads[1];
  EXPECT_TRUE(db.unmanaged);
  EXPECT_EQ(db.host, "");
}

TEST(DecodeIpList, CidrsBareIpsAndExcept) {
  LoadedManifests m = MustParse(R"(
apiVersion: microseg.io/v1alpha1
kind: IPList
metadata: {name: partners}
spec:
  cidrs: [203.0.113.0/24, 198.51.100.7, "2001:db8::/32", "2001:db8:ffff::1"]
  except: [203.0.113.128/25, "2001:db8:1::/48"]
)");
  ASSERT_EQ(m.objects.ip_lists.size(), 1u);
  const IpList& list = m.objects.ip_lists[0];
  EXPECT_EQ(list.name, "partners");
  ASSERT_EQ(list.cidrs.size(), 4u);
  EXPECT_EQ(list.cidrs[1].ToString(), "198.51.100.7/32");
  EXPECT_EQ(list.cidrs[3].ToString(), "2001:db8:ffff::1/128");
  ASSERT_EQ(list.except.size(), 2u);
  EXPECT_TRUE(list.Contains(Ip("203.0.113.1")));
  EXPECT_FALSE(list.Contains(Ip("203.0.113.200")));
}

TEST(DecodeRuleset, AllFields) {
  LoadedManifests m = MustParse(R"(
apiVersion: microseg.io/v1alpha1
kind: Ruleset
metadata: {name: billing}
spec:
  tier: admin
  priority: 5
  scope:
    selector: {matchLabels: {app: billing}}
    namespaceSelector: {matchLabels: {env: prod}}
    kinds: [Pod, Workload]
  ingress:
  - name: from-web
    peers:
    - selector: {matchLabels: {app: web}}
      namespaceSelector: {matchLabels: {env: prod}}
    - service: shop/frontend
    ports: [{port: 8443}, {port: https}]
  - name: block-partners
    action: Deny
    peers: [{ipList: partners}]
  egress:
  - name: anything
    peers: [{any: true}]
    ports: [{protocol: UDP, port: 53}]
  - peers: [{namespaceSelector: {}}]
)");
  ASSERT_EQ(m.objects.rulesets.size(), 1u);
  const Ruleset& rs = m.objects.rulesets[0];
  EXPECT_EQ(rs.name, "billing");
  EXPECT_EQ(rs.tier, RulesetTier::kAdmin);
  EXPECT_EQ(rs.priority, 5);
  EXPECT_EQ(rs.scope.selector.ToString(), "app=billing");
  EXPECT_EQ(rs.scope.namespace_selector->ToString(), "env=prod");
  EXPECT_EQ(rs.scope.kinds,
            (std::vector<EndpointKind>{EndpointKind::kPod, EndpointKind::kWorkload}));

  ASSERT_EQ(rs.ingress.size(), 2u);
  const RulesetRule& from_web = rs.ingress[0];
  EXPECT_EQ(from_web.name, "from-web");
  EXPECT_EQ(from_web.action, RuleAction::kAllow);
  ASSERT_EQ(from_web.peers.size(), 2u);
  EXPECT_EQ(from_web.peers[0].kind, RulesetPeer::Kind::kSelector);
  EXPECT_EQ(from_web.peers[0].selector->ToString(), "app=web");
  EXPECT_EQ(from_web.peers[0].namespace_selector->ToString(), "env=prod");
  EXPECT_EQ(from_web.peers[1].kind, RulesetPeer::Kind::kService);
  EXPECT_EQ(from_web.peers[1].service_namespace, "shop");
  EXPECT_EQ(from_web.peers[1].service_name, "frontend");
  EXPECT_EQ(from_web.ports, (std::vector<PortMatch>{PortMatch::Range(Protocol::kTCP, 8443, 8443),
                                                    PortMatch::Named(Protocol::kTCP, "https")}));
  EXPECT_EQ(rs.ingress[1].action, RuleAction::kDeny);
  EXPECT_EQ(rs.ingress[1].peers[0].kind, RulesetPeer::Kind::kIpList);
  EXPECT_EQ(rs.ingress[1].peers[0].ip_list, "partners");

  ASSERT_EQ(rs.egress.size(), 2u);
  EXPECT_EQ(rs.egress[0].peers[0].kind, RulesetPeer::Kind::kAny);
  EXPECT_EQ(rs.egress[0].ports, (std::vector<PortMatch>{PortMatch::Range(Protocol::kUDP, 53, 53)}));
  const RulesetPeer& ns_only = rs.egress[1].peers[0];
  EXPECT_EQ(ns_only.kind, RulesetPeer::Kind::kSelector);
  EXPECT_FALSE(ns_only.selector.has_value());
  EXPECT_TRUE(ns_only.namespace_selector.has_value());
  EXPECT_TRUE(rs.egress[1].ports.empty());
}

TEST(DecodeRuleset, Defaults) {
  LoadedManifests m = MustParse(R"(
apiVersion: microseg.io/v1alpha1
kind: Ruleset
metadata: {name: r}
spec: {scope: {selector: {}}}
)");
  ASSERT_EQ(m.objects.rulesets.size(), 1u);
  const Ruleset& rs = m.objects.rulesets[0];
  EXPECT_EQ(rs.tier, RulesetTier::kApplication);
  EXPECT_EQ(rs.priority, 100);
  EXPECT_TRUE(rs.scope.selector.empty());
  EXPECT_FALSE(rs.scope.namespace_selector.has_value());
  EXPECT_TRUE(rs.scope.kinds.empty());
}

TEST(DecodeEnforcementMode, Modes) {
  LoadedManifests m = MustParse(R"(
apiVersion: microseg.io/v1alpha1
kind: EnforcementMode
metadata: {name: legacy}
spec:
  scope: {selector: {matchLabels: {zone: legacy}}, kinds: [Workload]}
  mode: visibility
---
apiVersion: microseg.io/v1alpha1
kind: EnforcementMode
metadata: {name: prod}
spec: {scope: {selector: {}}, mode: enforced}
)");
  ASSERT_EQ(m.objects.enforcement_modes.size(), 2u);
  EXPECT_EQ(m.objects.enforcement_modes[0].mode, Mode::kVisibility);
  EXPECT_EQ(m.objects.enforcement_modes[0].scope.kinds,
            (std::vector<EndpointKind>{EndpointKind::kWorkload}));
  EXPECT_EQ(m.objects.enforcement_modes[1].mode, Mode::kEnforced);
}

}  // namespace
}  // namespace microseg
