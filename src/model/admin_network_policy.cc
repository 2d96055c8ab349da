#include "model/admin_network_policy.h"

namespace microseg {

std::string_view AdminActionName(AdminAction a) {
  switch (a) {
    case AdminAction::kAllow: return "Allow";
    case AdminAction::kDeny: return "Deny";
    case AdminAction::kPass: return "Pass";
  }
  return "?";
}

}  // namespace microseg
