// PlanDiff: the element-level difference between two Plans, which is what
// the dataplane applies on every change after the first full sync.
//
// A changed map value is a removal plus an addition (nftables cannot
// replace an element's value in place). Identical plans give an empty diff.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"

namespace microseg {

struct DirectionDiff {
  std::vector<IpAddress> local_removed, local_added;
  std::vector<IpAddress> defaults_removed;
  std::vector<std::pair<IpAddress, PlanVerdict>> defaults_added;
  std::vector<IpAddress> hosts_removed;
  std::vector<std::pair<IpAddress, ClassId>> hosts_added;
  std::vector<AddressRange> ranges_removed;
  std::vector<std::pair<AddressRange, ClassId>> ranges_added;
  std::vector<ClassId> classes_added;    // their verdicts are in classes_changed too
  std::vector<ClassId> classes_removed;  // their verdicts are in classes_changed too
  struct ClassDelta {
    ClassId id;
    std::vector<VerdictKey> removed;
    std::vector<std::pair<VerdictKey, PlanVerdict>> added;
  };
  std::vector<ClassDelta> classes_changed;

  bool empty() const;
  size_t ElementOps() const;  // element removals + additions
};

struct PlanDiff {
  bool skeleton_changed = false;  // options differ: the table is replaced whole
  DirectionDiff ingress, egress;

  bool empty() const { return !skeleton_changed && ingress.empty() && egress.empty(); }
  size_t ElementOps() const { return ingress.ElementOps() + egress.ElementOps(); }
  // Classes added in `to` are looked up there when rendering.
};

PlanDiff DiffPlans(const Plan& from, const Plan& to);

// Applies `diff`'s element changes to `plan`: ApplyDiff(DiffPlans(a, b), &a)
// makes a's directions equal b's. Options, node and endpoints are not in a
// diff; requires !diff.skeleton_changed.
void ApplyDiff(const PlanDiff& diff, Plan* plan);

}  // namespace microseg
