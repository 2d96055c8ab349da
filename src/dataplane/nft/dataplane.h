// NftDataplane: makes the kernel's `table inet microseg` enforce a Plan.
//
// Convert and reconcile are separate jobs: the renderer turns plans and
// diffs into scripts; this class decides which script to run.
//  - First Apply (and any Apply after a failure): read the table back, diff
//    it against the plan and run the minimal delta; when the table is
//    missing, unreadable, or has another skeleton (options, format version),
//    replace it whole in one transaction (`delete table` + `table {...}` in
//    one batch), so enforced traffic never sees a missing table.
//  - Later Applies: diff against the plan last applied, run the delta.
//  - No change in, nothing run.
// Every script runs as one netfilter transaction. On failure the kernel
// keeps what it had (the previous policy stays enforced) and the next Apply
// reconciles from the kernel again.
//
// Thread safety: none; one owner (the agent loop).
#pragma once

#include <cstddef>
#include <optional>

#include "common/status.h"
#include "dataplane/nft/executor.h"
#include "plan/plan.h"
#include "plan/plan_diff.h"

namespace microseg::nft {

class NftDataplane {
 public:
  explicit NftDataplane(NftExecutor* executor) : executor_(executor) {}

  Status Apply(const Plan& plan);
  // For callers that patched their plan and know what changed (the agent's
  // span deltas, PatchPeers): `diff` takes the last applied plan to `plan`
  // and has no skeleton change. Runs its delta and patches the kept plan,
  // instead of diffing and copying two whole plans. Without a last applied
  // plan it is Apply(plan).
  Status ApplyPatch(const PlanDiff& diff, const Plan& plan);
  // Replaces the table whole with `plan` in one transaction, whatever the
  // kernel holds (the agent's fail-closed fallback: the fewest things that
  // can go wrong).
  Status Install(const Plan& plan);
  // Forgets the last applied plan, so the next Apply reads the kernel.
  void Invalidate() { applied_.reset(); }
  // The table the last read-back found, in plan terms (endpoints are the
  // plan's); nullopt when there was none or it was not microseg's shape.
  const std::optional<Plan>& read_back() const { return read_back_; }

  struct Stats {
    enum class Kind { kNoop, kDelta, kReplace } kind = Kind::kNoop;
    size_t element_ops = 0;   // element adds + removes (delta only)
    size_t script_bytes = 0;  // 0 for kNoop
    bool read_back = false;   // the kernel table was read
  };
  const Stats& last() const { return last_; }

 private:
  Status Reconcile(const Plan& plan);
  Status RunDelta(const Plan& from, const Plan& to);
  Status Replace(const Plan& plan);

  NftExecutor* executor_;
  std::optional<Plan> applied_;
  std::optional<Plan> read_back_;
  Stats last_;
};

}  // namespace microseg::nft
