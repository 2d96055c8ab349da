#include "flow/flow_record.h"

namespace microseg {

std::string_view FlowVerdictName(FlowVerdict v) {
  switch (v) {
    case FlowVerdict::kAllow:
      return "allow";
    case FlowVerdict::kDeny:
      return "deny";
    case FlowVerdict::kWouldDeny:
      return "would-deny";
  }
  return "allow";
}

std::optional<FlowVerdict> ParseFlowVerdict(std::string_view text) {
  for (FlowVerdict v : kAllFlowVerdicts) {
    if (text == FlowVerdictName(v)) return v;
  }
  return std::nullopt;
}

}  // namespace microseg
