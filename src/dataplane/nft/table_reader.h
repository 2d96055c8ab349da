// Reads back what the kernel holds in `table inet microseg` (nft JSON) in
// plan terms, so reconciling is "diff two plans" like every other update.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "plan/plan.h"

namespace microseg::nft {

struct KernelTable {
  std::string skeleton_chain;  // "skel_<hash>", "" when missing
  // Element state; options are not read back (the skeleton chain stands
  // for them).
  DirectionPlan ingress, egress;
};

// Fails on JSON that is not an nft listing or on elements microseg would
// not have written; the caller then replaces the table whole.
Result<KernelTable> ParseTableJson(std::string_view json);

}  // namespace microseg::nft
