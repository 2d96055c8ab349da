#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

TEST(DecodeNamespace, NameAndLabelsWithMetadataNameLabel) {
  LoadedManifests m = MustParse(R"(
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: a
    kubernetes.io/metadata.name: spoofed
)");
  ASSERT_EQ(m.objects.namespaces.size(), 1u);
  const Namespace& ns = m.objects.namespaces[0];
  EXPECT_EQ(ns.name, "shop");
  // The API server overrides a user value of this label.
  EXPECT_EQ(ns.labels, (Labels{{"team", "a"}, {"kubernetes.io/metadata.name", "shop"}}));
}

TEST(DecodePod, AllFields) {
  LoadedManifests m = MustParse(R"(
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  uid: 1234-abcd
  labels: {app: web, tier: "1"}
spec:
  nodeName: node-a
  hostNetwork: false
  initContainers:
  - name: init
    ports: [{containerPort: 9000, name: init-port}]
  containers:
  - name: main
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 53, protocol: UDP}
  - name: sidecar
status:
  phase: Running
  podIP: 10.0.0.5
  podIPs:
  - ip: 10.0.0.5
  - ip: fd00::5
)");
  ASSERT_EQ(m.objects.pods.size(), 1u);
  const Pod& pod = m.objects.pods[0];
  EXPECT_EQ(pod.namespace_name, "shop");
  EXPECT_EQ(pod.name, "web-1");
  EXPECT_EQ(pod.uid, "1234-abcd");
  EXPECT_EQ(pod.labels, (Labels{{"app", "web"}, {"tier", "1"}}));
  EXPECT_EQ(pod.node_name, "node-a");
  EXPECT_FALSE(pod.host_network);
  EXPECT_EQ(pod.phase, "Running");
  EXPECT_EQ(pod.ips, (std::vector<IpAddress>{Ip("10.0.0.5"), Ip("fd00::5")}));
  ASSERT_EQ(pod.ports.size(), 3u);
  EXPECT_EQ(pod.ports[0].name, "http");
  EXPECT_EQ(pod.ports[0].port, 8080);
  EXPECT_EQ(pod.ports[0].protocol, Protocol::kTCP);
  EXPECT_EQ(pod.ports[1].name, "dns");
  EXPECT_EQ(pod.ports[1].protocol, Protocol::kUDP);
  EXPECT_EQ(pod.ports[2].name, "init-port");
  EXPECT_EQ(pod.ports[2].port, 9000);
}

TEST(DecodePod, Defaults) {
  LoadedManifests m = MustParse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
  ASSERT_EQ(m.objects.pods.size(), 1u);
  const Pod& pod = m.objects.pods[0];
  EXPECT_EQ(pod.namespace_name, "default");
  EXPECT_EQ(pod.uid, "default/p");  // synthesized
  EXPECT_TRUE(pod.ips.empty());
  EXPECT_EQ(pod.phase, "");
  EXPECT_FALSE(pod.host_network);
  EXPECT_FALSE(pod.HoldsIps());
}

TEST(DecodePod, IpsAndPhaseAndHostNetwork) {
  struct Case {
    const char* description;
    const char* status_and_spec;
    std::vector<IpAddress> ips;
    std::string phase;
    bool host_network;
  };
  const Case cases[] = {
      {"podIP only", "status: {podIP: 10.1.0.1}", {Ip("10.1.0.1")}, "", false},
      {"podIPs only, dual stack",
       "status: {podIPs: [{ip: 10.1.0.1}, {ip: 'fd00::1'}]}",
       {Ip("10.1.0.1"), Ip("fd00::1")},
       "",
       false},
      {"podIP and podIPs are united without duplicates",
       "status: {podIP: 'fd00::1', podIPs: [{ip: 10.1.0.1}, {ip: 'fd00::1'}]}",
       {Ip("fd00::1"), Ip("10.1.0.1")},
       "",
       false},
      {"succeeded pod keeps its phase",
       "status: {phase: Succeeded, podIP: 10.1.0.1}",
       {Ip("10.1.0.1")},
       "Succeeded",
       false},
      {"pending pod without IP", "status: {phase: Pending}", {}, "Pending", false},
      {"empty podIP is no IP", "status: {phase: Pending, podIP: ''}", {}, "Pending", false},
      {"hostNetwork pod",
       "spec: {hostNetwork: true}\nstatus: {podIP: 192.168.1.10}",
       {Ip("192.168.1.10")},
       "",
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    std::string text =
        std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n") + c.status_and_spec + "\n";
    LoadedManifests m = MustParse(text);
    ASSERT_EQ(m.objects.pods.size(), 1u);
    EXPECT_EQ(m.objects.pods[0].ips, c.ips);
    EXPECT_EQ(m.objects.pods[0].phase, c.phase);
    EXPECT_EQ(m.objects.pods[0].host_network, c.host_network);
  }
}

TEST(DecodeNode, InternalAndExternalAddressesOnly) {
  LoadedManifests m = MustParse(R"(
apiVersion: v1
kind: Node
metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
status:
  addresses:
  - {type: Hostname, address: node-a}
  - {type: InternalIP, address: 192.168.1.10}
  - {type: InternalIP, address: "fd00:1::10"}
  - {type: ExternalIP, address: 203.0.113.7}
  - {type: InternalDNS, address: node-a.internal}
)");
  ASSERT_EQ(m.objects.nodes.size(), 1u);
  const Node& node = m.objects.nodes[0];
  EXPECT_EQ(node.name, "node-a");
  EXPECT_EQ(node.labels, (Labels{{"kubernetes.io/hostname", "node-a"}}));
  EXPECT_EQ(node.ips,
            (std::vector<IpAddress>{Ip("192.168.1.10"), Ip("fd00:1::10"), Ip("203.0.113.7")}));
}

TEST(DecodeService, PortsSelectorAndClusterIps) {
  LoadedManifests m = MustParse(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10, "fd00:96::10"]
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: https, port: 443, targetPort: 8443}
  - {name: dns, port: 53, protocol: UDP}
)");
  ASSERT_EQ(m.objects.services.size(), 1u);
  const Service& svc = m.objects.services[0];
  EXPECT_EQ(svc.Key(), "shop/web");
  ASSERT_TRUE(svc.selector.has_value());
  EXPECT_EQ(svc.selector->ToString(), "app=web");
  EXPECT_EQ(svc.cluster_ips, (std::vector<IpAddress>{Ip("10.96.0.10"), Ip("fd00:96::10")}));
  ASSERT_EQ(svc.ports.size(), 3u);
  EXPECT_EQ(svc.ports[0].port, 80);
  EXPECT_EQ(svc.ports[0].target_port, 0);
  EXPECT_EQ(svc.ports[0].target_port_name, "http");
  EXPECT_EQ(svc.ports[1].target_port, 8443);
  EXPECT_EQ(svc.ports[1].target_port_name, "");
  EXPECT_EQ(svc.ports[2].protocol, Protocol::kUDP);
  EXPECT_EQ(svc.ports[2].target_port, 53);  // defaults to port
}

TEST(DecodeService, AbsentOrEmptySelectorSelectsNothing) {
  struct Case {
    const char* description;
    const char* spec;
  };
  const Case cases[] = {
      {"absent selector", "spec: {ports: [{port: 80}]}"},
      {"empty selector map", "spec: {selector: {}}"},
      {"headless", "spec: {clusterIP: None}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    LoadedManifests m = MustParse(
        std::string("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n") + c.spec + "\n");
    ASSERT_EQ(m.objects.services.size(), 1u);
    EXPECT_FALSE(m.objects.services[0].selector.has_value());
    EXPECT_TRUE(m.objects.services[0].cluster_ips.empty());
  }
}

}  // namespace
}  // namespace microseg
