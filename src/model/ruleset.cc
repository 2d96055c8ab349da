#include "model/ruleset.h"

namespace microseg {

std::string_view EndpointKindName(EndpointKind k) {
  switch (k) {
    case EndpointKind::kPod: return "Pod";
    case EndpointKind::kWorkload: return "Workload";
    case EndpointKind::kNode: return "Node";
    case EndpointKind::kExternal: return "External";
  }
  return "?";
}

std::string_view RulesetTierName(RulesetTier t) {
  switch (t) {
    case RulesetTier::kAdmin: return "admin";
    case RulesetTier::kApplication: return "application";
    case RulesetTier::kBaseline: return "baseline";
  }
  return "?";
}

std::string_view ModeName(Mode m) { return m == Mode::kVisibility ? "visibility" : "enforced"; }

}  // namespace microseg
