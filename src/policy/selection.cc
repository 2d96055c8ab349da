// Which policies select an identity: computed once per identity and kept
// until a policy of its namespace or a cluster-scoped policy changes.
#include <algorithm>
#include <tuple>

#include "policy/engine_state.h"

namespace microseg {

const Labels& PolicyEngine::State::NamespaceLabels(const std::string& ns) const {
  if (auto it = namespaces.find(ns); it != namespaces.end()) return it->second.labels;
  auto [it, inserted] = implicit_namespace_labels.try_emplace(ns);
  if (inserted) it->second.Set(kNamespaceNameLabel, ns);
  return it->second;
}

const Labels& PolicyEngine::State::NamespaceLabelsOf(const Identity& identity) const {
  if (namespace_labels_cache.size() <= identity.id) {
    namespace_labels_cache.resize(identities.capacity());
  }
  NamespaceLabelsEntry& entry = namespace_labels_cache[identity.id];
  if (entry.incarnation != identity.incarnation || entry.epoch != namespace_labels_epoch) {
    entry.incarnation = identity.incarnation;
    entry.epoch = namespace_labels_epoch;
    entry.labels = &NamespaceLabels(identity.namespace_name);
  }
  return *entry.labels;
}

uint64_t PolicyEngine::State::NamespaceGeneration(const std::string& ns) const {
  auto it = namespace_generation.find(ns);
  return it == namespace_generation.end() ? 0 : it->second;
}

bool PolicyEngine::State::ScopeSelects(const Scope& scope, const Identity& identity) const {
  if (!scope.kinds.empty() &&
      std::find(scope.kinds.begin(), scope.kinds.end(), identity.kind) == scope.kinds.end()) {
    return false;
  }
  if (scope.namespace_selector) {
    if (identity.kind != EndpointKind::kPod) return false;
    if (!scope.namespace_selector->Matches(NamespaceLabelsOf(identity))) return false;
  }
  return scope.selector.Matches(identity.labels);
}

bool PolicyEngine::State::AdminSubjectSelects(const AdminSubject& subject,
                                              const Identity& identity) const {
  if (identity.kind != EndpointKind::kPod) return false;
  if (!subject.namespace_selector.Matches(NamespaceLabelsOf(identity))) return false;
  return !subject.pod_selector || subject.pod_selector->Matches(identity.labels);
}

const Selection& PolicyEngine::State::SelectionFor(IdentityId id) const {
  if (selections.size() <= id) selections.resize(identities.capacity());
  Selection& sel = selections[id];
  const Identity& identity = identities.Get(id);
  uint64_t ns_gen = identity.kind == EndpointKind::kPod
                        ? NamespaceGeneration(identity.namespace_name)
                        : 0;
  if (sel.valid && sel.incarnation == identity.incarnation &&
      sel.cluster_generation == cluster_generation &&
      sel.namespace_generation == ns_gen) {
    return sel;
  }
  sel = Selection();
  sel.valid = true;
  sel.incarnation = identity.incarnation;
  sel.cluster_generation = cluster_generation;
  sel.namespace_generation = ns_gen;

  if (identity.kind == EndpointKind::kPod) {
    if (auto it = np_by_namespace.find(identity.namespace_name); it != np_by_namespace.end()) {
      for (const auto& [name, np] : it->second) {
        if (!np->pod_selector.Matches(identity.labels)) continue;
        if (np->affects_ingress) sel.np_ingress.push_back(np);
        if (np->affects_egress) sel.np_egress.push_back(np);
      }
    }
    for (const auto& [name, anp] : admin_policies) {
      if (AdminSubjectSelects(anp.subject, identity)) sel.admin.push_back({anp.priority, &anp, nullptr});
    }
    sel.banp = baseline_policy && AdminSubjectSelects(baseline_policy->subject, identity);
  }
  for (const auto& [name, rs] : rulesets) {
    if (!ScopeSelects(rs.scope, identity)) continue;
    switch (rs.tier) {
      case RulesetTier::kAdmin: sel.admin.push_back({rs.priority, nullptr, &rs}); break;
      case RulesetTier::kApplication: sel.application.push_back(&rs); break;
      case RulesetTier::kBaseline: sel.baseline.push_back(&rs); break;
    }
  }
  // Admin tier order: priority, then AdminNetworkPolicy before Ruleset, then
  // name, so that ties resolve the same way everywhere.
  std::stable_sort(sel.admin.begin(), sel.admin.end(), [](const AdminEntry& a, const AdminEntry& b) {
    auto key = [](const AdminEntry& e) {
      return std::make_tuple(e.priority, e.anp ? 0 : 1,
                             e.anp ? std::string_view(e.anp->name) : std::string_view(e.ruleset->name));
    };
    return key(a) < key(b);
  });
  auto by_priority = [](const Ruleset* a, const Ruleset* b) {
    return std::tie(a->priority, a->name) < std::tie(b->priority, b->name);
  };
  std::sort(sel.application.begin(), sel.application.end(), by_priority);
  std::sort(sel.baseline.begin(), sel.baseline.end(), by_priority);

  // Several EnforcementModes may select one endpoint: visibility wins, so a
  // narrow visibility scope can onboard an application inside a broad
  // enforced one without dropping its traffic.
  for (const auto& [name, mode] : modes) {
    if (!ScopeSelects(mode.scope, identity)) continue;
    sel.mode_sources.push_back(name);
    if (!sel.mode || mode.mode == Mode::kVisibility) sel.mode = mode.mode;
  }
  return sel;
}

}  // namespace microseg
