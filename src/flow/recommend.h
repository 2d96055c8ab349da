// Recommend: least-privilege policy from observed flows, in labels.
//
// Endpoints are grouped as in the dependency map (grouping.h). Each group
// that can be enforced gets one policy allowing exactly the observed
// (peer group, protocol, port) pairs, in both directions:
//  - pods: a NetworkPolicy per group (podSelector on the group label, peers
//    by podSelector + namespaceSelector on kubernetes.io/metadata.name), or
//    a Ruleset with kind kRuleset;
//  - workloads and nodes: a Ruleset plus an EnforcementMode `enforced`
//    (default deny for everything not allowed).
// Peers that labels cannot name are addresses: external IPs as the smallest
// block covering IPs that share a /24 (/64), workloads seen by a
// NetworkPolicy as /32 ipBlocks (Kubernetes cannot select them by label).
// Ports are numbers, or names when every destination endpoint names the port.
// Only detailed aggregates are used (folded ones lost their endpoints).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "flow/flow_aggregator.h"
#include "flow/grouping.h"
#include "model/object_set.h"

namespace microseg {

struct RecommendOptions {
  GroupBy group_by;
  enum class Kind : uint8_t { kNetworkPolicy, kRuleset } kind = Kind::kNetworkPolicy;
  // Also allow flows the dataplane denied (default: allow and would-deny only).
  bool include_denied = false;
  int external_v4_prefix = 24;  // external IPs sharing this prefix become one block
  int external_v6_prefix = 64;
  std::string name_prefix = "microseg-";
};

struct Recommendation {
  ObjectSet objects;                    // network_policies, rulesets, ip_lists, enforcement_modes
  std::vector<std::string> notes;       // what was left out, and why
  std::vector<AggregatedFlow> covered;  // the observed aggregates it allows
};

// True for aggregates the recommendation must allow.
bool WantedFlow(const AggregatedFlow& flow, const RecommendOptions& options);

Recommendation Recommend(const std::vector<AggregatedFlow>& flows, const RecommendOptions& options);

// The smallest blocks covering `ips`, merging addresses that share
// `v4_prefix` (`v6_prefix`) leading bits. Sorted.
std::vector<Cidr> CoveringBlocks(std::vector<IpAddress> ips, int v4_prefix, int v6_prefix);

// A DNS-1123 label fragment: lowercase alphanumerics and '-'.
std::string Slug(const std::string& text);

}  // namespace microseg
