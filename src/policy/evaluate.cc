// Verdicts: the precedence chain, per direction.
//
//   admin tier (ANP + admin Rulesets, by priority; Pass leaves the tier)
//   -> application tier (NetworkPolicy + application Rulesets: a matching
//      Deny wins, then any Allow; endpoints selected for the direction are
//      isolated, i.e. default deny)
//   -> baseline tier (baseline Rulesets by priority, then BANP)
//   -> default (allow; deny for enforced workloads and nodes).
// A connection is allowed iff the source's egress and the destination's
// ingress both allow it.
#include <string>

#include "policy/matching.h"

namespace microseg {
namespace {

using State = PolicyEngine::State;

std::string IndexedName(Direction d, size_t i, const std::string& name) {
  if (!name.empty()) return name;
  return std::string(DirectionName(d)) + "[" + std::to_string(i) + "]";
}

class DirectionEvaluator {
 public:
  DirectionEvaluator(const State& s, const Endpoint& self, const Endpoint& peer, Direction d,
                     Protocol protocol, uint16_t port, Trace* trace)
      : s_(s), self_(self), peer_(peer), dir_(d), protocol_(protocol), port_(port), trace_(trace) {}

  DirectionVerdict Run();

 private:
  const Endpoint& destination() const { return dir_ == Direction::kIngress ? self_ : peer_; }
  std::string* Why() { return trace_ ? &why_ : nullptr; }
  void Step(Tier tier, const std::string& kind, const std::string& policy, const std::string& rule,
            bool matched, std::string detail) {
    if (trace_) trace_->steps.push_back({dir_, tier, kind, policy, rule, matched, std::move(detail)});
  }
  DirectionVerdict Decide(bool allowed, Tier tier, std::string kind, std::string policy,
                          std::string rule, std::string reason) const {
    DirectionVerdict v;
    v.allowed = allowed;
    v.tier = tier;
    v.policy_kind = std::move(kind);
    v.policy = std::move(policy);
    v.rule = std::move(rule);
    v.reason = std::move(reason);
    v.mode = mode_;
    return v;
  }

  // Each returns true when the rule matches the flow.
  bool AdminRuleMatches(const AdminNetworkPolicy& p, const AdminRule& r, Tier tier,
                        const std::string& rule_name);
  bool RulesetRuleMatches(const Ruleset& rs, const RulesetRule& r, Tier tier,
                          const std::string& rule_name);
  bool NetworkPolicyRuleMatches(const NetworkPolicy& np, const NetworkPolicyRule& r,
                                const std::string& rule_name);
  std::optional<DirectionVerdict> RunAdminTier(const Selection& sel);
  std::optional<DirectionVerdict> RunApplicationTier(const Selection& sel);
  std::optional<DirectionVerdict> RunBaselineTier(const Selection& sel);

  const State& s_;
  const Endpoint& self_;
  const Endpoint& peer_;
  Direction dir_;
  Protocol protocol_;
  uint16_t port_;
  Trace* trace_;
  Mode mode_ = Mode::kEnforced;
  std::string why_;
};

bool DirectionEvaluator::AdminRuleMatches(const AdminNetworkPolicy& p, const AdminRule& r,
                                          Tier tier, const std::string& rule_name) {
  const AdminPeer* hit = nullptr;
  for (const AdminPeer& peer : r.peers) {
    if (MatchAdminPeer(s_, peer, peer_, Why())) {
      hit = &peer;
      break;
    }
  }
  const std::string& name = p.name;
  if (!hit) {
    Step(tier, p.KindName(), name, rule_name, false, trace_ ? "no peer matches: " + why_ : "");
    return false;
  }
  std::string peer_why = why_;
  bool ports_ok = !r.ports || MatchPorts(s_, *r.ports, protocol_, port_, destination(), true, Why());
  Step(tier, p.KindName(), name, rule_name, ports_ok,
       trace_ ? (ports_ok ? peer_why + (r.ports ? "; " + why_ : "; all ports") : why_) : "");
  return ports_ok;
}

bool DirectionEvaluator::RulesetRuleMatches(const Ruleset& rs, const RulesetRule& r, Tier tier,
                                            const std::string& rule_name) {
  bool hit = false;
  for (const RulesetPeer& peer : r.peers) {
    if (MatchRulesetPeer(s_, peer, peer_, Why())) {
      hit = true;
      break;
    }
  }
  if (!hit) {
    Step(tier, "Ruleset", rs.name, rule_name, false, trace_ ? "no peer matches: " + why_ : "");
    return false;
  }
  std::string peer_why = why_;
  bool ports_ok = MatchPorts(s_, r.ports, protocol_, port_, destination(), false, Why());
  Step(tier, "Ruleset", rs.name, rule_name, ports_ok,
       trace_ ? (ports_ok ? peer_why + (r.ports.empty() ? "; all ports" : "; " + why_) : why_) : "");
  return ports_ok;
}

bool DirectionEvaluator::NetworkPolicyRuleMatches(const NetworkPolicy& np,
                                                  const NetworkPolicyRule& r,
                                                  const std::string& rule_name) {
  bool hit = r.peers.empty();
  std::string peer_why = "no peers listed: every peer matches";
  for (const NetworkPolicyPeer& peer : r.peers) {
    if (MatchNetworkPolicyPeer(s_, np, peer, peer_, Why())) {
      hit = true;
      peer_why = why_;
      break;
    }
  }
  if (!hit) {
    Step(Tier::kApplication, "NetworkPolicy", np.Key(), rule_name, false,
         trace_ ? "no peer matches: " + why_ : "");
    return false;
  }
  bool ports_ok = MatchPorts(s_, r.ports, protocol_, port_, destination(), false, Why());
  Step(Tier::kApplication, "NetworkPolicy", np.Key(), rule_name, ports_ok,
       trace_ ? (ports_ok ? peer_why + (r.ports.empty() ? "; all ports" : "; " + why_) : why_) : "");
  return ports_ok;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunAdminTier(const Selection& sel) {
  for (const AdminEntry& entry : sel.admin) {
    if (entry.anp) {
      const AdminNetworkPolicy& p = *entry.anp;
      const auto& rules = dir_ == Direction::kIngress ? p.ingress : p.egress;
      for (size_t i = 0; i < rules.size(); ++i) {
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        if (!AdminRuleMatches(p, rules[i], Tier::kAdmin, rule_name)) continue;
        std::string what = "AdminNetworkPolicy " + p.name + " (priority " +
                           std::to_string(p.priority) + ") rule " + rule_name;
        switch (rules[i].action) {
          case AdminAction::kAllow:
            return Decide(true, Tier::kAdmin, p.KindName(), p.name, rule_name, what + " allows it");
          case AdminAction::kDeny:
            return Decide(false, Tier::kAdmin, p.KindName(), p.name, rule_name, what + " denies it");
          case AdminAction::kPass:
            Step(Tier::kAdmin, p.KindName(), p.name, rule_name, true,
                 "Pass: skip the remaining admin rules; NetworkPolicy decides");
            return std::nullopt;
        }
      }
    } else {
      const Ruleset& rs = *entry.ruleset;
      const auto& rules = dir_ == Direction::kIngress ? rs.ingress : rs.egress;
      for (size_t i = 0; i < rules.size(); ++i) {
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        if (!RulesetRuleMatches(rs, rules[i], Tier::kAdmin, rule_name)) continue;
        bool allow = rules[i].action == RuleAction::kAllow;
        return Decide(allow, Tier::kAdmin, "Ruleset", rs.name, rule_name,
                      "admin Ruleset " + rs.name + " (priority " + std::to_string(rs.priority) +
                          ") rule " + rule_name + (allow ? " allows it" : " denies it"));
      }
    }
  }
  return std::nullopt;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunApplicationTier(const Selection& sel) {
  const auto& nps = dir_ == Direction::kIngress ? sel.np_ingress : sel.np_egress;
  std::string isolating;  // policies that isolate this direction, for the reason
  std::optional<DirectionVerdict> allow;
  for (const Ruleset* rs : sel.application) {
    const auto& rules = dir_ == Direction::kIngress ? rs->ingress : rs->egress;
    bool has_allow = false;
    for (size_t i = 0; i < rules.size(); ++i) {
      has_allow |= rules[i].action == RuleAction::kAllow;
      std::string rule_name = IndexedName(dir_, i, rules[i].name);
      if (!RulesetRuleMatches(*rs, rules[i], Tier::kApplication, rule_name)) continue;
      if (rules[i].action == RuleAction::kDeny) {
        return Decide(false, Tier::kApplication, "Ruleset", rs->name, rule_name,
                      "Ruleset " + rs->name + " rule " + rule_name + " denies it");
      }
      if (!allow) {
        allow = Decide(true, Tier::kApplication, "Ruleset", rs->name, rule_name,
                       "Ruleset " + rs->name + " rule " + rule_name + " allows it");
      }
    }
    // Allow rules make an allow-list: what they do not allow is denied.
    if (has_allow) isolating += (isolating.empty() ? "Ruleset " : ", Ruleset ") + rs->name;
  }
  for (const NetworkPolicy* np : nps) {
    isolating += (isolating.empty() ? "NetworkPolicy " : ", NetworkPolicy ") + np->Key();
    const auto& rules = dir_ == Direction::kIngress ? np->ingress : np->egress;
    if (rules.empty()) {
      Step(Tier::kApplication, "NetworkPolicy", np->Key(), "", false,
           std::string("selects ") + self_.name + " for " + std::string(DirectionName(dir_)) +
               " and has no " + std::string(DirectionName(dir_)) + " rules");
    }
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rule_name = IndexedName(dir_, i, "");
      if (!NetworkPolicyRuleMatches(*np, rules[i], rule_name)) continue;
      if (!allow) {
        allow = Decide(true, Tier::kApplication, "NetworkPolicy", np->Key(), rule_name,
                       "NetworkPolicy " + np->Key() + " " + rule_name + " allows it");
      }
      if (!trace_) break;  // the first allow decides; a trace lists them all
    }
    if (allow && !trace_) break;
  }
  if (allow) return allow;
  if (!isolating.empty()) {
    return Decide(false, Tier::kApplication, "", "", "",
                  self_.DisplayName() + " is isolated for " + std::string(DirectionName(dir_)) +
                      " by " + isolating + " and no rule allows this flow");
  }
  return std::nullopt;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunBaselineTier(const Selection& sel) {
  for (const Ruleset* rs : sel.baseline) {
    const auto& rules = dir_ == Direction::kIngress ? rs->ingress : rs->egress;
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rule_name = IndexedName(dir_, i, rules[i].name);
      if (!RulesetRuleMatches(*rs, rules[i], Tier::kBaseline, rule_name)) continue;
      bool allow = rules[i].action == RuleAction::kAllow;
      return Decide(allow, Tier::kBaseline, "Ruleset", rs->name, rule_name,
                    "baseline Ruleset " + rs->name + " rule " + rule_name +
                        (allow ? " allows it" : " denies it"));
    }
  }
  if (sel.banp) {
    const AdminNetworkPolicy& p = *s_.baseline_policy;
    const auto& rules = dir_ == Direction::kIngress ? p.ingress : p.egress;
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rule_name = IndexedName(dir_, i, rules[i].name);
      if (!AdminRuleMatches(p, rules[i], Tier::kBaseline, rule_name)) continue;
      bool allow = rules[i].action == AdminAction::kAllow;
      return Decide(allow, Tier::kBaseline, p.KindName(), p.name, rule_name,
                    "BaselineAdminNetworkPolicy rule " + rule_name +
                        (allow ? " allows it" : " denies it"));
    }
  }
  return std::nullopt;
}

DirectionVerdict DirectionEvaluator::Run() {
  std::string who = self_.DisplayName();
  if (self_.kind == EndpointKind::kExternal) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who + " is outside every enforcement point");
  }
  if (self_.identity == kNoIdentity) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who + " uses its node's network (hostNetwork): pod policy does not select it");
  }
  const Identity& identity = s_.identities.Get(self_.identity);
  if (identity.unmanaged) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who + " is unmanaged: no agent enforces its traffic");
  }
  const Selection& sel = s_.SelectionFor(self_.identity);
  mode_ = sel.mode.value_or(Mode::kEnforced);
  if (trace_ && sel.mode) {
    std::string sources;
    for (const auto& m : sel.mode_sources) sources += (sources.empty() ? "" : ", ") + m;
    Step(Tier::kDefault, "EnforcementMode", sources, "", true,
         who + " is in " + std::string(ModeName(*sel.mode)) + " mode");
  }
  if (auto v = RunAdminTier(sel)) return *v;
  if (auto v = RunApplicationTier(sel)) return *v;
  if (auto v = RunBaselineTier(sel)) return *v;
  // Workloads and nodes under an EnforcementMode are default-deny; pods keep
  // Kubernetes semantics (allowed unless isolated).
  if (identity.kind != EndpointKind::kPod && sel.mode) {
    return Decide(false, Tier::kDefault, "", "", "",
                  who + " is under EnforcementMode " + sel.mode_sources.front() +
                      " (default deny) and no rule allows this flow");
  }
  bool selected = !sel.admin.empty() || sel.banp || !sel.baseline.empty() ||
                  !sel.application.empty();
  if (identity.kind != EndpointKind::kPod && !selected) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who + " is selected by no policy and no EnforcementMode");
  }
  return Decide(true, Tier::kDefault, "", "", "",
                selected ? "no rule of the policies selecting " + who + " matches: allowed"
                         : "no policy selects " + who + " for " + std::string(DirectionName(dir_)));
}

}  // namespace

Verdict PolicyEngine::Check(const Endpoint& src, const Endpoint& dst, Protocol protocol,
                            uint16_t port, Trace* trace) const {
  Verdict v;
  v.egress = DirectionEvaluator(*state_, src, dst, Direction::kEgress, protocol, port, trace).Run();
  v.ingress = DirectionEvaluator(*state_, dst, src, Direction::kIngress, protocol, port, trace).Run();
  return v;
}

}  // namespace microseg
