// Native policy (microseg.io/v1alpha1): Ruleset and EnforcementMode.
//
// One policy model for every kind of endpoint. A Scope selects pods,
// workloads and nodes by label; rules name peers by label, namespace,
// Service, IPList or `any`. Rulesets live in one of three tiers, evaluated
// around Kubernetes policy (see docs/SEMANTICS.md):
//   admin (beside ANP) -> application (beside NetworkPolicy) -> baseline (beside BANP).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/port_match.h"

namespace microseg {

enum class EndpointKind : uint8_t { kPod, kWorkload, kNode, kExternal };
std::string_view EndpointKindName(EndpointKind k);  // "Pod", "Workload", "Node", "External"

// Which endpoints a Ruleset or EnforcementMode applies to.
struct Scope {
  LabelSelector selector;  // over the endpoint's own labels
  // When present, only pods whose namespace matches are in scope.
  std::optional<LabelSelector> namespace_selector;
  // Empty: every kind (Pod, Workload, Node).
  std::vector<EndpointKind> kinds;
};

enum class RulesetTier : uint8_t { kAdmin, kApplication, kBaseline };
std::string_view RulesetTierName(RulesetTier t);  // "admin", ...

struct RulesetPeer {
  enum class Kind : uint8_t { kSelector, kService, kIpList, kAny };
  Kind kind = Kind::kSelector;
  // kSelector: endpoints (pods, workloads, nodes) whose labels match
  // `selector`; with namespace_selector, only pods in matching namespaces.
  std::optional<LabelSelector> selector;
  std::optional<LabelSelector> namespace_selector;
  std::string service_namespace, service_name;  // kService: the service's backend pods
  std::string ip_list;                          // kIpList
};

enum class RuleAction : uint8_t { kAllow, kDeny };

struct RulesetRule {
  std::string name;
  RuleAction action = RuleAction::kAllow;
  std::vector<RulesetPeer> peers;  // non-empty (validated)
  std::vector<PortMatch> ports;    // empty: all ports
};

struct Ruleset {
  std::string name;
  RulesetTier tier = RulesetTier::kApplication;
  int priority = 100;  // ascending within the tier
  Scope scope;
  std::vector<RulesetRule> ingress;  // peers are sources
  std::vector<RulesetRule> egress;   // peers are destinations
};

enum class Mode : uint8_t { kVisibility, kEnforced };
std::string_view ModeName(Mode m);  // "visibility", "enforced"

struct EnforcementMode {
  std::string name;
  Scope scope;
  Mode mode = Mode::kEnforced;
};

}  // namespace microseg
