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
#include <algorithm>
#include <string>
#include <string_view>

#include "policy/matching.h"

namespace microseg {
namespace {

using State = PolicyEngine::State;

// Built only for the rule that decides and for trace steps: a check visits
// many rules, and most are unnamed.
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
  // Explanations (why_, trace steps) are built only when tracing: their
  // strings (addresses, selectors, policy keys, rule names) used to cost a
  // plain check more than the matching itself. Callers test tracing()
  // before building a step's arguments; Step requires it.
  bool tracing() const { return trace_ != nullptr; }
  std::string* Why() { return tracing() ? &why_ : nullptr; }
  void Step(Tier tier, std::string kind, std::string policy, std::string rule, bool matched,
            std::string detail) {
    trace_->steps.push_back({dir_, tier, std::move(kind), std::move(policy), std::move(rule),
                             matched, std::move(detail)});
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

  // Each returns true when rule `index` (of this direction) matches the flow.
  bool AdminRuleMatches(const AdminNetworkPolicy& p, size_t index, Tier tier);
  bool RulesetRuleMatches(const Ruleset& rs, size_t index, Tier tier);
  bool NetworkPolicyRuleMatches(const NetworkPolicy& np, size_t index);
  // The rules of `policy` for this direction.
  template <typename Policy>
  const auto& RulesOf(const Policy& policy) const {
    return dir_ == Direction::kIngress ? policy.ingress : policy.egress;
  }
  template <typename Visit>
  void ForEachIsolatingPolicy(const Selection& sel, Visit visit) const;
  std::string IsolationReason(const Selection& sel) const;
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

bool DirectionEvaluator::AdminRuleMatches(const AdminNetworkPolicy& p, size_t index, Tier tier) {
  const AdminRule& r = RulesOf(p)[index];
  const AdminPeer* hit = nullptr;
  for (const AdminPeer& peer : r.peers) {
    if (MatchAdminPeer(s_, peer, peer_, Why())) {
      hit = &peer;
      break;
    }
  }
  if (!hit) {
    if (tracing()) {
      Step(tier, p.KindName(), p.name, IndexedName(dir_, index, r.name), false,
           "no peer matches: " + why_);
    }
    return false;
  }
  std::string peer_why = why_;  // empty unless tracing
  bool ports_ok = !r.ports || MatchPorts(s_, *r.ports, protocol_, port_, destination(), true, Why());
  if (tracing()) {
    Step(tier, p.KindName(), p.name, IndexedName(dir_, index, r.name), ports_ok,
         ports_ok ? peer_why + (r.ports ? "; " + why_ : "; all ports") : why_);
  }
  return ports_ok;
}

bool DirectionEvaluator::RulesetRuleMatches(const Ruleset& rs, size_t index, Tier tier) {
  const RulesetRule& r = RulesOf(rs)[index];
  bool hit = false;
  for (const RulesetPeer& peer : r.peers) {
    if (MatchRulesetPeer(s_, peer, peer_, Why())) {
      hit = true;
      break;
    }
  }
  if (!hit) {
    if (tracing()) {
      Step(tier, "Ruleset", rs.name, IndexedName(dir_, index, r.name), false,
           "no peer matches: " + why_);
    }
    return false;
  }
  std::string peer_why = why_;  // empty unless tracing
  bool ports_ok = MatchPorts(s_, r.ports, protocol_, port_, destination(), false, Why());
  if (tracing()) {
    Step(tier, "Ruleset", rs.name, IndexedName(dir_, index, r.name), ports_ok,
         ports_ok ? peer_why + (r.ports.empty() ? "; all ports" : "; " + why_) : why_);
  }
  return ports_ok;
}

bool DirectionEvaluator::NetworkPolicyRuleMatches(const NetworkPolicy& np, size_t index) {
  const NetworkPolicyRule& r = RulesOf(np)[index];
  bool hit = r.peers.empty();
  for (const NetworkPolicyPeer& peer : r.peers) {
    if (MatchNetworkPolicyPeer(s_, np, peer, peer_, Why())) {
      hit = true;
      break;
    }
  }
  if (!hit) {
    if (tracing()) {
      Step(Tier::kApplication, "NetworkPolicy", np.Key(), IndexedName(dir_, index, ""), false,
           "no peer matches: " + why_);
    }
    return false;
  }
  std::string peer_why;
  if (tracing()) peer_why = r.peers.empty() ? "no peers listed: every peer matches" : why_;
  bool ports_ok = MatchPorts(s_, r.ports, protocol_, port_, destination(), false, Why());
  if (tracing()) {
    Step(Tier::kApplication, "NetworkPolicy", np.Key(), IndexedName(dir_, index, ""), ports_ok,
         ports_ok ? peer_why + (r.ports.empty() ? "; all ports" : "; " + why_) : why_);
  }
  return ports_ok;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunAdminTier(const Selection& sel) {
  for (const AdminEntry& entry : sel.admin) {
    if (entry.anp) {
      const AdminNetworkPolicy& p = *entry.anp;
      const auto& rules = RulesOf(p);
      for (size_t i = 0; i < rules.size(); ++i) {
        if (!AdminRuleMatches(p, i, Tier::kAdmin)) continue;
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        auto what = [&] {
          return "AdminNetworkPolicy " + p.name + " (priority " + std::to_string(p.priority) +
                 ") rule " + rule_name;
        };
        switch (rules[i].action) {
          case AdminAction::kAllow:
            return Decide(true, Tier::kAdmin, p.KindName(), p.name, rule_name,
                          what() + " allows it");
          case AdminAction::kDeny:
            return Decide(false, Tier::kAdmin, p.KindName(), p.name, rule_name,
                          what() + " denies it");
          case AdminAction::kPass:
            if (tracing()) {
              Step(Tier::kAdmin, p.KindName(), p.name, rule_name, true,
                   "Pass: skip the remaining admin rules; NetworkPolicy decides");
            }
            return std::nullopt;
        }
      }
    } else {
      const Ruleset& rs = *entry.ruleset;
      const auto& rules = RulesOf(rs);
      for (size_t i = 0; i < rules.size(); ++i) {
        if (!RulesetRuleMatches(rs, i, Tier::kAdmin)) continue;
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        bool allow = rules[i].action == RuleAction::kAllow;
        return Decide(allow, Tier::kAdmin, "Ruleset", rs.name, rule_name,
                      "admin Ruleset " + rs.name + " (priority " + std::to_string(rs.priority) +
                          ") rule " + rule_name + (allow ? " allows it" : " denies it"));
      }
    }
  }
  return std::nullopt;
}

// Calls visit(kind, namespace or null, name) for each policy that isolates
// this direction: application Rulesets with an Allow rule for it, then the
// NetworkPolicies that select the endpoint for it.
template <typename Visit>
void DirectionEvaluator::ForEachIsolatingPolicy(const Selection& sel, Visit visit) const {
  for (const Ruleset* rs : sel.application) {
    const auto& rules = RulesOf(*rs);
    if (std::any_of(rules.begin(), rules.end(),
                    [](const RulesetRule& r) { return r.action == RuleAction::kAllow; })) {
      visit(std::string_view("Ruleset "), nullptr, rs->name);
    }
  }
  for (const NetworkPolicy* np : dir_ == Direction::kIngress ? sel.np_ingress : sel.np_egress) {
    visit(std::string_view("NetworkPolicy "), &np->namespace_name, np->name);
  }
}

// "x/a is isolated for ingress by Ruleset r, NetworkPolicy x/p and no rule
// allows this flow". Most flows of a default-deny cluster end here, so the
// text is sized first and built in one allocation.
std::string DirectionEvaluator::IsolationReason(const Selection& sel) const {
  constexpr std::string_view kFor = " is isolated for ", kBy = " by ", kSeparator = ", ",
                             kEnd = " and no rule allows this flow";
  std::string who = self_.DisplayName();
  std::string_view direction = DirectionName(dir_);
  size_t size = who.size() + kFor.size() + direction.size() + kBy.size() + kEnd.size();
  ForEachIsolatingPolicy(sel, [&](std::string_view kind, const std::string* ns,
                                  const std::string& name) {
    size += kSeparator.size() + kind.size() + (ns ? ns->size() + 1 : 0) + name.size();
  });
  std::string out;
  out.reserve(size);
  out.append(who).append(kFor).append(direction).append(kBy);
  bool first = true;
  ForEachIsolatingPolicy(sel, [&](std::string_view kind, const std::string* ns,
                                  const std::string& name) {
    if (!first) out.append(kSeparator);
    first = false;
    out.append(kind);
    if (ns) out.append(*ns).append(1, '/');  // NetworkPolicy::Key()
    out.append(name);
  });
  out.append(kEnd);
  return out;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunApplicationTier(const Selection& sel) {
  const auto& nps = dir_ == Direction::kIngress ? sel.np_ingress : sel.np_egress;
  bool isolated = !nps.empty();  // default deny for this direction
  std::optional<DirectionVerdict> allow;
  for (const Ruleset* rs : sel.application) {
    const auto& rules = RulesOf(*rs);
    for (size_t i = 0; i < rules.size(); ++i) {
      // Allow rules make an allow-list: what they do not allow is denied.
      isolated |= rules[i].action == RuleAction::kAllow;
      if (!RulesetRuleMatches(*rs, i, Tier::kApplication)) continue;
      if (rules[i].action == RuleAction::kDeny) {
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        return Decide(false, Tier::kApplication, "Ruleset", rs->name, rule_name,
                      "Ruleset " + rs->name + " rule " + rule_name + " denies it");
      }
      if (!allow) {
        std::string rule_name = IndexedName(dir_, i, rules[i].name);
        allow = Decide(true, Tier::kApplication, "Ruleset", rs->name, rule_name,
                       "Ruleset " + rs->name + " rule " + rule_name + " allows it");
      }
    }
  }
  for (const NetworkPolicy* np : nps) {
    if (allow && !tracing()) break;  // the first allow decides; a trace lists them all
    const auto& rules = RulesOf(*np);
    if (rules.empty() && tracing()) {
      Step(Tier::kApplication, "NetworkPolicy", np->Key(), "", false,
           std::string("selects ") + self_.name + " for " + std::string(DirectionName(dir_)) +
               " and has no " + std::string(DirectionName(dir_)) + " rules");
    }
    for (size_t i = 0; i < rules.size(); ++i) {
      if (!NetworkPolicyRuleMatches(*np, i)) continue;
      if (!allow) {
        std::string rule_name = IndexedName(dir_, i, "");
        allow = Decide(true, Tier::kApplication, "NetworkPolicy", np->Key(), rule_name,
                       "NetworkPolicy " + np->Key() + " " + rule_name + " allows it");
      }
      if (!tracing()) break;
    }
  }
  if (allow) return allow;
  if (isolated) {
    return Decide(false, Tier::kApplication, "", "", "", IsolationReason(sel));
  }
  return std::nullopt;
}

std::optional<DirectionVerdict> DirectionEvaluator::RunBaselineTier(const Selection& sel) {
  for (const Ruleset* rs : sel.baseline) {
    const auto& rules = RulesOf(*rs);
    for (size_t i = 0; i < rules.size(); ++i) {
      if (!RulesetRuleMatches(*rs, i, Tier::kBaseline)) continue;
      std::string rule_name = IndexedName(dir_, i, rules[i].name);
      bool allow = rules[i].action == RuleAction::kAllow;
      return Decide(allow, Tier::kBaseline, "Ruleset", rs->name, rule_name,
                    "baseline Ruleset " + rs->name + " rule " + rule_name +
                        (allow ? " allows it" : " denies it"));
    }
  }
  if (sel.banp) {
    const AdminNetworkPolicy& p = *s_.baseline_policy;
    const auto& rules = RulesOf(p);
    for (size_t i = 0; i < rules.size(); ++i) {
      if (!AdminRuleMatches(p, i, Tier::kBaseline)) continue;
      std::string rule_name = IndexedName(dir_, i, rules[i].name);
      bool allow = rules[i].action == AdminAction::kAllow;
      return Decide(allow, Tier::kBaseline, p.KindName(), p.name, rule_name,
                    "BaselineAdminNetworkPolicy rule " + rule_name +
                        (allow ? " allows it" : " denies it"));
    }
  }
  return std::nullopt;
}

DirectionVerdict DirectionEvaluator::Run() {
  // The endpoint's name goes only into the deciding reason (and the trace).
  auto who = [this] { return self_.DisplayName(); };
  if (self_.kind == EndpointKind::kExternal) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who() + " is outside every enforcement point");
  }
  if (self_.identity == kNoIdentity) {
    // A node known only from its hostNetwork pods: no Node object, no labels.
    if (self_.kind == EndpointKind::kNode) {
      return Decide(true, Tier::kUnenforced, "", "", "",
                    who() + " has no Node object: no policy selects it");
    }
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who() + " uses its node's network (hostNetwork): pod policy does not select it");
  }
  const Identity& identity = s_.identities.Get(self_.identity);
  if (identity.unmanaged) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who() + " is unmanaged: no agent enforces its traffic");
  }
  const Selection& sel = s_.SelectionFor(self_.identity);
  mode_ = sel.mode.value_or(Mode::kEnforced);
  if (tracing() && sel.mode) {
    std::string sources;
    for (const auto& m : sel.mode_sources) sources += (sources.empty() ? "" : ", ") + m;
    Step(Tier::kDefault, "EnforcementMode", sources, "", true,
         who() + " is in " + std::string(ModeName(*sel.mode)) + " mode");
  }
  if (auto v = RunAdminTier(sel)) return std::move(*v);
  if (auto v = RunApplicationTier(sel)) return std::move(*v);
  if (auto v = RunBaselineTier(sel)) return std::move(*v);
  // Workloads and nodes under an EnforcementMode are default-deny; pods keep
  // Kubernetes semantics (allowed unless isolated).
  if (identity.kind != EndpointKind::kPod && sel.mode) {
    return Decide(false, Tier::kDefault, "", "", "",
                  who() + " is under EnforcementMode " + sel.mode_sources.front() +
                      " (default deny) and no rule allows this flow");
  }
  bool selected = !sel.admin.empty() || sel.banp || !sel.baseline.empty() ||
                  !sel.application.empty();
  if (identity.kind != EndpointKind::kPod && !selected) {
    return Decide(true, Tier::kUnenforced, "", "", "",
                  who() + " is selected by no policy and no EnforcementMode");
  }
  std::string reason =
      selected ? "no rule of the policies selecting " + who() + " matches: allowed"
               : "no policy selects " + who() + " for " + std::string(DirectionName(dir_));
  return Decide(true, Tier::kDefault, "", "", "", std::move(reason));
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
