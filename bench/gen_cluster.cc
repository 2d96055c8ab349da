// gen_cluster: writes a synthetic cluster (see cluster_generator.h) as
// Kubernetes JSON files, e.g. the benchmark's 100k-pod cluster:
//   ./build/bench/gen_cluster --pods 100000 --out /tmp/cluster
//   ./build/microseg matrix -f /tmp/cluster --port 8080   # (slow: 10^10 cells)
// Counts not given on the command line follow --pods with the ratios of the
// issue's cluster (100 pods per namespace, 20 per node, 1 NetworkPolicy per
// 10 pods) and 100 AdminNetworkPolicies.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "bench/cluster_generator.h"

int main(int argc, char** argv) {
  using microseg::bench::ClusterSpec;
  CLI::App app("Writes a deterministic synthetic Kubernetes cluster as JSON files");
  size_t pods = 100000;
  std::string out;
  ClusterSpec given;
  app.add_option("--pods", pods, "Number of pods")->capture_default_str();
  app.add_option("--out", out, "Output directory (created if missing)")->required();
  auto* namespaces = app.add_option("--namespaces", given.namespaces, "Default: pods / 100");
  auto* nodes = app.add_option("--nodes", given.nodes, "Default: pods / 20");
  auto* nps = app.add_option("--network-policies", given.network_policies, "Default: pods / 10");
  auto* anps =
      app.add_option("--admin-network-policies", given.admin_network_policies, "Default: 100");
  auto* replicas = app.add_option("--max-replicas", given.max_replicas, "Default: 20");
  auto* per_file = app.add_option("--pods-per-file", given.pods_per_file, "Default: 10000");
  auto* seed = app.add_option("--seed", given.seed, "Default: 1");
  auto* indent = app.add_option("--indent", given.indent, "JSON indent; default -1 (compact)");
  CLI11_PARSE(app, argc, argv);

  ClusterSpec spec = ClusterSpec::ForPods(pods);
  if (*namespaces) spec.namespaces = given.namespaces;
  if (*nodes) spec.nodes = given.nodes;
  if (*nps) spec.network_policies = given.network_policies;
  if (*anps) spec.admin_network_policies = given.admin_network_policies;
  if (*replicas) spec.max_replicas = given.max_replicas;
  if (*per_file) spec.pods_per_file = given.pods_per_file;
  if (*seed) spec.seed = given.seed;
  if (*indent) spec.indent = given.indent;

  auto summary = microseg::bench::WriteCluster(spec, out);
  if (!summary.ok()) {
    std::cerr << "gen_cluster: " << summary.status().message() << "\n";
    return 1;
  }
  std::printf(
      "wrote %zu files (%.1f MiB) to %s: %zu namespaces, %zu nodes, %zu pods in %zu deployments, "
      "%zu NetworkPolicies, %zu AdminNetworkPolicies\n",
      summary->files.size(), static_cast<double>(summary->bytes) / (1 << 20), out.c_str(),
      summary->namespaces, summary->nodes, summary->pods, summary->deployments,
      summary->network_policies, summary->admin_network_policies);
  return 0;
}
