// LabTopology: how the lab lays a cluster out in network namespaces.
//
//   ms-<lab>-fabric   bridge br0; one veth per node and per unmanaged
//                     workload (100.64.255.0/24)
//   ms-<lab>-n<i>     one per enforcement point: a Kubernetes node, or the
//                     host H of the Workloads with `spec.host: H`. Routes,
//                     forwarding, the agent `--node <name>` and its
//                     `table inet microseg`. Holds as its own addresses the
//                     IPv4 addresses of its Node object and of the workloads
//                     it hosts, so their traffic goes through the input and
//                     output hooks as a real host's does; pod traffic is
//                     forwarded here.
//   ms-<lab>-p<j>     one per pod: eth0 holds the pod's IP, default route via
//                     169.254.1.1 (proxy ARP on the node side, as Calico does)
//                     A hostNetwork pod lives here too: its address is
//                     the node's (added when the Node does not list it)
//                     and its listeners are the node namespace's.
//   ms-<lab>-u<k>     one per `unmanaged: true` workload: its addresses and
//                     listeners, no agent (a peer, never enforced)
// Every address that lives behind a fabric member has a /32 route via that
// member's fabric IP on every other member, so pods, hosts and unmanaged
// endpoints reach each other.
// Every name starts with "ms-<lab>-", so `down` can sweep by prefix even
// after a crash. Dual-stack: every fabric member also has an IPv6 fabric
// address, pods and hosts their IPv6 addresses beside the IPv4 ones (a pod's
// IPv6 gateway is fe80::1 on the node's side of its veth). Pods without a
// node or an IPv4 address, and workloads whose first address is not IPv4,
// are skipped; an external address may be of either family.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/object_set.h"

namespace microseg::lab {

struct LabPort {
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;
};

struct LabPod {
  std::string key;  // "ns/name"
  std::string node;
  std::string netns;
  std::string ip;
  int index = 0;  // veth name p<index> on the node side
  std::vector<LabPort> ports;
  std::string ip6;  // its first IPv6 address; "" when single-stack IPv4
};

// An enforcement point: runs an agent with --node <name>.
struct LabNode {
  std::string name;
  std::string netns;
  std::string fabric_ip;  // 100.64.255.<i+1>
  std::vector<std::string> ips;  // its own: the Node's and its workloads' IPv4 addresses
  // The Node object's first IPv4 address: probed as "node/<name>" (Resolve's
  // address). "" for a workload host with no Node object, or no address.
  std::string node_ip;
  std::vector<LabPort> ports;  // listened on at node_ip (LabExtras::ports)
  // IPv6, as the IPv4 fields above (the fabric's IPv6 address is derived
  // from fabric_ip: see lab.cc).
  std::vector<std::string> ips6;
  std::string node_ip6;
};

// An endpoint with no namespace of its own on an enforcement point (a
// hosted workload, or a hostNetwork pod in its node's namespace), or an
// unmanaged workload in its own.
struct LabWorkload {
  std::string key;   // "workload/NAME" or a hostNetwork pod's "ns/name", as Resolve names it
  std::string host;  // the LabNode that enforces it; "" when unmanaged
  std::string netns;  // the host's namespace, or its own ms-<lab>-u<k>
  std::string fabric_ip;  // unmanaged only: its own veth on the fabric
  std::vector<std::string> ips;  // IPv4; ips[0] is the one probed (Resolve's)
  std::vector<LabPort> ports;
  std::vector<std::string> ips6;  // IPv6; ips6[0] is the one probed over IPv6
};

// What the probe connects: a pod or a workload, by the name Resolve takes.
struct LabEndpoint {
  std::string key;
  std::string netns;
  std::string ip;  // connected to, and bound as the source when connecting from
  std::vector<LabPort> ports;
  std::string ip6;  // the same over IPv6; "" when it has none
};

struct LabTopology {
  std::string name;  // lab name: the "<lab>" of "ms-<lab>-"
  std::string fabric_netns;
  std::vector<LabNode> nodes;
  std::vector<LabPod> pods;  // sorted by key
  std::vector<LabWorkload> workloads;  // and hostNetwork pods; sorted by key
  std::vector<std::string> skipped;  // "x/d: no spec.nodeName"

  std::string Prefix() const { return "ms-" + name + "-"; }
  const LabPod* FindPod(const std::string& key) const;
  const LabNode* FindNode(const std::string& name) const;
  // Pods, workloads (hostNetwork pods and external addresses included) and
  // nodes with an address ("node/<name>"), sorted by key.
  std::vector<LabEndpoint> Endpoints() const;

  nlohmann::json ToJson() const;
  static LabTopology FromJson(const nlohmann::json& j);
};

// What a lab holds beyond the objects, so a probe can reach what a truth
// table names: addresses outside the cluster, and ports nobody declares.
struct LabExtras {
  // Each gets a namespace on the fabric, like an unmanaged workload, and is
  // probed under the address itself (as Resolve names an external endpoint).
  std::vector<std::string> external_addresses;
  // Listened on by every endpoint (pods, workloads, nodes with an address,
  // external addresses) besides the ports each declares.
  std::vector<LabPort> ports;
};

// Lays out `objects`: pods with IPv4 addresses and a node; workloads with
// `host:` (on that host's enforcement point) or `unmanaged: true`; and the
// extras.
LabTopology PlanTopology(const std::string& lab_name, const ObjectSet& objects,
                         const LabExtras& extras = {});

}  // namespace microseg::lab
