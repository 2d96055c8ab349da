// Synthetic clusters for benchmarks: deterministic, realistic, written as
// Kubernetes JSON so that a benchmark times parsing as well as indexing.
//
// The cluster is shaped like a multi-tenant production one:
//  - namespaces labelled team=team-NN and env=prod|staging|dev, plus
//    kube-system (CoreDNS), monitoring (Prometheus) and ingress-nginx;
//  - pods grouped in Deployments of 1..max_replicas replicas that share
//    their labels (app, tier, version, pod-template-hash), so identities are
//    about pods / (max_replicas / 2), not one per pod;
//  - unique IPv4 pod IPs from a /24 pod CIDR per node (10.0.0.0/8), nodes
//    with an InternalIP in 172.16.0.0/12, named container ports;
//  - NetworkPolicies in ten real-world shapes (default deny, DNS egress to
//    kube-system, same-app, namespaceSelector, namespace AND pod selector,
//    ipBlock with except, port ranges, named ports, monitoring, same
//    namespace);
//  - AdminNetworkPolicies at priorities 1..N with namespace and pod
//    subjects, Allow/Deny/Pass, and namespace, pod, node and network peers.
// The same spec (seed included) gives byte-identical files on every
// platform: the generator uses its own PRNG, not <random>'s distributions.
//
// Thread safety: WriteCluster is a pure function of its arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace microseg::bench {

struct ClusterSpec {
  size_t pods = 100000;
  size_t namespaces = 1000;  // at least 3: kube-system, monitoring, ingress-nginx
  size_t nodes = 5000;       // at most 65,536; each holds at most 253 pods
  size_t network_policies = 10000;
  size_t admin_network_policies = 100;  // priorities 1..N (N <= 1000)
  size_t max_replicas = 20;             // a Deployment has 1..max_replicas pods
  size_t pods_per_file = 10000;         // pods-NNN.json split
  uint64_t seed = 1;
  int indent = -1;  // JSON indent; -1 is compact

  // `pods` pods with the ratios of the 100k cluster: 100 pods per
  // namespace, 20 per node, one NetworkPolicy per 10 pods, and 100 ANPs.
  static ClusterSpec ForPods(size_t pods);
};

struct ClusterSummary {
  size_t namespaces = 0, nodes = 0, deployments = 0, pods = 0, network_policies = 0,
         admin_network_policies = 0;
  std::vector<std::string> files;  // paths written, in order
  uint64_t bytes = 0;              // total size of the files
};

// Writes the cluster into `dir` (created when missing; existing files of
// the same names are replaced): namespaces.json, nodes.json,
// pods-000.json.., network-policies.json, admin-network-policies.json.
Result<ClusterSummary> WriteCluster(const ClusterSpec& spec, const std::string& dir);

}  // namespace microseg::bench
