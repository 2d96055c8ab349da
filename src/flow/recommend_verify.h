// Verifying a recommendation in the model before it is applied.
//
// Given the policy engine of today and the engine of today plus the
// recommendation, over the endpoints and ports of the observed flows:
//  - every observed flow must be allowed after (else the recommendation
//    is wrong, or an admin-tier policy blocks the flow);
//  - every other (source, destination, port) must be denied after, except
//    pairs of groups that were observed (a recommendation allows a group,
//    so a replica that was not seen talking is allowed like its peers);
//  - what would change: pairs that pass today and are denied after, per
//    pair of groups.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "flow/flow_aggregator.h"
#include "flow/grouping.h"
#include "policy/policy_engine.h"

namespace microseg {

struct GroupChange {
  std::string from, to;  // group ids
  std::set<std::pair<Protocol, uint16_t>> ports;
  uint64_t pairs = 0;  // (source, destination, port) triples that change
};

struct VerifyReport {
  uint64_t observed = 0;                      // observed aggregates checked
  uint64_t observed_allowed = 0;              // ... and allowed after
  std::vector<std::string> observed_blocked;  // "a -> b TCP/80: deny (admin: ...)"
  uint64_t unobserved = 0;                // other triples among the observed endpoints and ports
  uint64_t unobserved_denied = 0;         // ... denied after
  uint64_t unobserved_group_allowed = 0;  // ... allowed because their groups were observed
  uint64_t unobserved_unenforced = 0;  // ... between ends no policy enforces (external, unmanaged)
  std::vector<std::string> unobserved_allowed;  // the rest that is allowed (first 20)
  uint64_t unobserved_allowed_count = 0;
  std::vector<GroupChange> changes;  // pass today, denied after; sorted by (from, to)
  bool truncated = false;            // stopped after `max_checks` pairs

  bool ok() const { return observed_blocked.empty(); }
};

VerifyReport VerifyRecommendation(const PolicyEngine& today, const PolicyEngine& after,
                                  const std::vector<AggregatedFlow>& observed, const GroupBy& by,
                                  uint64_t max_checks = 2'000'000);

}  // namespace microseg
