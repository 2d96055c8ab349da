// Plan -> nftables script text, for libnftables (nft_run_cmd_from_buffer).
//
// Pure functions: no kernel, no I/O; golden-tested. The shape of the table
// is described in docs/DATAPLANE.md. Every script is applied as one
// netfilter transaction by the caller, so it either all happens or none.
#pragma once

#include <string>

#include "plan/plan.h"
#include "plan/plan_diff.h"

namespace microseg::nft {

// The whole table, `table inet microseg { ... }`.
std::string RenderTable(const Plan& plan);

// Atomic replace: creates the table if absent, deletes it and re-creates it
// with `plan` in the same transaction, so no packet ever sees no table.
std::string RenderReplace(const Plan& plan);

// The minimal script taking a kernel that holds `from` to `to`, in
// dependency order: new class maps and chains, element removals, element
// additions, then removed classes. Empty when `diff` is empty. Requires
// !diff.skeleton_changed (use RenderReplace then).
std::string RenderDelta(const PlanDiff& diff, const Plan& to);

// Name of the empty chain whose presence marks the table's fixed part
// (format version and PlanOptions): "skel_<16 hex>".
std::string SkeletonChain(const PlanOptions& options);

// The nft verdict text of a plan verdict in a direction ("accept", "return",
// "drop", "goto in_log").
std::string VerdictText(Direction d, PlanVerdict v);

// Element key texts, as nft reads them.
std::string RangeText(const AddressRange& r);
std::string VerdictKeyText(const VerdictKey& k);

}  // namespace microseg::nft
