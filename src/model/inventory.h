// Inventory objects: what can send and receive traffic.
//
// Kubernetes kinds (Namespace, Pod, Node, Service) mirror the fields of their
// API types that policy depends on; native kinds (Workload, IPList) describe
// what lives beside the cluster. All are plain values; the index owns copies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/labels.h"
#include "model/protocol.h"

namespace microseg {

inline constexpr char kNamespaceNameLabel[] = "kubernetes.io/metadata.name";

struct Namespace {
  std::string name;
  Labels labels;  // always carries kubernetes.io/metadata.name=<name>
};

struct ContainerPort {
  std::string name;  // empty when unnamed
  uint16_t port = 0;
  Protocol protocol = Protocol::kTCP;
};

struct Pod {
  std::string namespace_name;
  std::string name;
  std::string uid;  // owner identity of its IPs; synthesized from ns/name when absent
  // metadata.creationTimestamp ("2026-01-02T15:04:05Z"; "" when absent):
  // of two pods claiming one IP, the later created owns it (ip_index.h).
  std::string created;
  Labels labels;
  std::vector<IpAddress> ips;  // status.podIPs (or podIP); may be empty
  std::string node_name;       // spec.nodeName
  bool host_network = false;
  std::string phase;  // status.phase; "" when absent
  std::vector<ContainerPort> ports;

  std::string Key() const { return namespace_name + "/" + name; }
  // Pods that finished, or have no IP yet, hold no IP for policy purposes:
  // a finished Job's IP may already belong to a new pod.
  bool HoldsIps() const { return phase != "Succeeded" && phase != "Failed" && !ips.empty(); }
  // hostNetwork pods share the node's identity; pod policy never selects them.
  bool SelectableByPodPolicy() const { return !host_network; }
};

struct Node {
  std::string name;
  Labels labels;
  std::vector<IpAddress> ips;  // status.addresses of type InternalIP/ExternalIP
};

struct ServicePort {
  std::string name;
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;
  // targetPort: a number, or the name of a container port of the backends.
  uint16_t target_port = 0;
  std::string target_port_name;
};

struct Service {
  std::string namespace_name;
  std::string name;
  // Absent selector: endpoints are managed by hand; the service selects no pods.
  std::optional<LabelSelector> selector;
  std::vector<ServicePort> ports;
  std::vector<IpAddress> cluster_ips;

  std::string Key() const { return namespace_name + "/" + name; }
};

// A non-Kubernetes endpoint: bare-metal host, VM, or an unmanaged endpoint
// such as a managed database. (microseg.io/v1alpha1 Workload)
struct Workload {
  std::string name;
  Labels labels;
  std::vector<IpAddress> ips;
  std::string host;  // enforcement point (agent) protecting it; "" when unmanaged
  bool unmanaged = false;  // a peer only: no agent, never enforced
  std::vector<ContainerPort> ports;  // named service ports, for named-port rules
};

// A named set of address blocks with exceptions. (microseg.io/v1alpha1 IPList)
struct IpList {
  std::string name;
  std::vector<Cidr> cidrs;
  std::vector<Cidr> except;  // each inside some entry of cidrs

  bool Contains(const IpAddress& ip) const;
};

}  // namespace microseg
