// PatchPeers: the compiler's incremental path for churn of remote pods.
//
// A node's rules name identities (namespace, labels), never pods, so when
// only pods on other nodes come, go or change, the plan changes only in its
// peer maps: a removed address leaves them; an added one takes the class of
// an unchanged member of its identity with the same ports and the same
// surrounding address blocks (identity-level matching makes their rule
// tokens equal), or else the class a pod of the same kind had when an
// earlier patch removed it (PeerClassMemory). A class that loses its last
// address leaves the plan and comes back, verdicts and all, with the next
// pod of its kind.
//
// Contract: when PatchPeers succeeds, ApplyDiff(diff, &plan) gives exactly
// CompileForNode(engine, plan.node, plan.options) (peer_patch_test replays
// change sequences whole, split, reversed and squashed to prove it). When a
// patch cannot be proved (a local or hostNetwork pod, a shared or re-used
// address, a new identity with no remembered class) it returns an error
// naming why, changes nothing, and the caller compiles instead.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/inventory.h"
#include "plan/plan.h"
#include "plan/plan_diff.h"
#include "policy/policy_engine.h"

namespace microseg {

// One pod that changed since the plan was made: its key ("namespace/name")
// and what it was then (nullopt: it did not exist). The engine holds what it
// is now.
struct PodChange {
  std::string key;
  std::optional<Pod> before;
};

// What patches learned since the last compile: the classes of pods they
// removed, by pod kind, and the verdicts of classes they dropped. Valid only
// while the rules are those of the last compile: call Forget() after every
// compile. Not thread-safe; one owner (the agent loop).
class PeerClassMemory {
 public:
  void Forget() {
    by_kind_.clear();
    dropped_[0].clear();
    dropped_[1].clear();
  }

 private:
  friend Result<PlanDiff> PatchPeers(const Plan&, const PolicyEngine&,
                                     const std::vector<PodChange>&, PeerClassMemory*);
  // Per kind: the class in each direction (ingress, egress); nullopt: the
  // kind's addresses were in no class there.
  std::map<std::string, std::pair<std::optional<ClassId>, std::optional<ClassId>>> by_kind_;
  std::map<ClassId, PeerClass> dropped_[2];  // by direction: ingress, egress
};

// The diff that takes `plan` (compiled from the engine as it was before
// `changed`) to the plan of the engine now. `memory` is read and, on
// success, updated.
Result<PlanDiff> PatchPeers(const Plan& plan, const PolicyEngine& engine,
                            const std::vector<PodChange>& changed, PeerClassMemory* memory);

}  // namespace microseg
