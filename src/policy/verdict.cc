#include "policy/verdict.h"

namespace microseg {

std::string_view DirectionName(Direction d) {
  return d == Direction::kIngress ? "ingress" : "egress";
}

std::string_view TierName(Tier t) {
  switch (t) {
    case Tier::kAdmin: return "admin";
    case Tier::kApplication: return "application";
    case Tier::kBaseline: return "baseline";
    case Tier::kDefault: return "default";
    case Tier::kUnenforced: return "unenforced";
  }
  return "?";
}

bool Verdict::would_deny() const {
  bool egress_blocks = !egress.allowed && egress.mode == Mode::kEnforced;
  bool ingress_blocks = !ingress.allowed && ingress.mode == Mode::kEnforced;
  return !allowed() && !egress_blocks && !ingress_blocks;
}

std::string_view Verdict::Name() const {
  if (allowed()) return "allow";
  return would_deny() ? "would-deny" : "deny";
}

}  // namespace microseg
