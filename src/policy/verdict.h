// Verdict: the answer to "is this flow allowed, and why?".
//
// A connection is allowed iff the source's egress and the destination's
// ingress both allow it; each direction records the tier, policy and rule
// that decided, so every answer can be explained.
#pragma once

#include <string>
#include <vector>

#include "model/protocol.h"
#include "model/ruleset.h"

namespace microseg {

enum class Direction : uint8_t { kIngress, kEgress };
std::string_view DirectionName(Direction d);  // "ingress", "egress"

// Where in the precedence chain a direction was decided.
enum class Tier : uint8_t {
  kAdmin,        // AdminNetworkPolicy / Ruleset tier admin
  kApplication,  // NetworkPolicy / Ruleset tier application (incl. isolation default deny)
  kBaseline,     // BaselineAdminNetworkPolicy / Ruleset tier baseline
  kDefault,      // nothing decided: allowed, or denied for enforced workloads
  kUnenforced,   // the endpoint is not enforced (external IP, unmanaged, hostNetwork, node)
};
std::string_view TierName(Tier t);  // "admin", "application", "baseline", "default", "unenforced"

struct DirectionVerdict {
  bool allowed = true;
  Tier tier = Tier::kDefault;
  std::string policy_kind;  // "NetworkPolicy", "AdminNetworkPolicy", ... ; "" for default
  std::string policy;       // "ns/name" for namespaced kinds, "name" otherwise
  std::string rule;         // rule name, or "ingress[2]" for unnamed rules; "" for isolation
  std::string reason;       // one readable sentence
  Mode mode = Mode::kEnforced;  // visibility: a deny here is reported, not enforced
};

struct Verdict {
  DirectionVerdict egress;   // at the source
  DirectionVerdict ingress;  // at the destination

  bool allowed() const { return egress.allowed && ingress.allowed; }
  // Denied by policy but every denying direction is in visibility mode:
  // the packet passes and is reported as would-be-denied.
  bool would_deny() const;
  // "allow", "deny" or "would-deny".
  std::string_view Name() const;
};

// One evaluated rule, for `explain`.
struct TraceStep {
  Direction direction;
  Tier tier;
  std::string policy_kind;
  std::string policy;
  std::string rule;       // "" when the step is about the policy as a whole
  bool matched = false;   // the rule matched the flow (peer and port)
  std::string detail;     // why it did or did not match
};

struct Trace {
  std::vector<TraceStep> steps;
};

}  // namespace microseg
