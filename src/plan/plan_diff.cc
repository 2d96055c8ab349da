#include "plan/plan_diff.h"

namespace microseg {
namespace {

// Walks two sorted maps (or sets) in step: `removed(key)` for keys only in
// `from` or whose value changed, `added(key, value)` for keys only in `to`
// or whose value changed.
template <typename Map, typename Removed, typename Added>
void DiffSorted(const Map& from, const Map& to, Removed removed, Added added) {
  auto a = from.begin(), b = to.begin();
  auto key = [](const auto& e) -> const auto& {
    if constexpr (requires { e.first; }) return e.first; else return e;
  };
  auto same_value = [](const auto& x, const auto& y) {
    if constexpr (requires { x.second; }) return x.second == y.second; else return true;
  };
  while (a != from.end() || b != to.end()) {
    if (b == to.end() || (a != from.end() && key(*a) < key(*b))) {
      removed(*a++);
    } else if (a == from.end() || key(*b) < key(*a)) {
      added(*b++);
    } else {
      if (!same_value(*a, *b)) {
        removed(*a);
        added(*b);
      }
      ++a;
      ++b;
    }
  }
}

DirectionDiff DiffDirection(const DirectionPlan& from, const DirectionPlan& to) {
  DirectionDiff d;
  DiffSorted(from.local, to.local, [&](const IpAddress& ip) { d.local_removed.push_back(ip); },
             [&](const IpAddress& ip) { d.local_added.push_back(ip); });
  DiffSorted(from.defaults, to.defaults, [&](const auto& e) { d.defaults_removed.push_back(e.first); },
             [&](const auto& e) { d.defaults_added.push_back(e); });
  DiffSorted(from.peer_hosts, to.peer_hosts, [&](const auto& e) { d.hosts_removed.push_back(e.first); },
             [&](const auto& e) { d.hosts_added.push_back(e); });
  DiffSorted(from.peer_ranges, to.peer_ranges,
             [&](const auto& e) { d.ranges_removed.push_back(e.first); },
             [&](const auto& e) { d.ranges_added.push_back(e); });
  auto a = from.classes.begin(), b = to.classes.begin();
  while (a != from.classes.end() || b != to.classes.end()) {
    if (b == to.classes.end() || (a != from.classes.end() && a->first < b->first)) {
      d.classes_removed.push_back(a->first);
      DirectionDiff::ClassDelta cd{a->first, {}, {}};
      for (const auto& e : a->second.verdicts) cd.removed.push_back(e.first);
      if (!cd.removed.empty()) d.classes_changed.push_back(std::move(cd));
      ++a;
    } else if (a == from.classes.end() || b->first < a->first) {
      d.classes_added.push_back(b->first);
      DirectionDiff::ClassDelta cd{b->first, {}, {}};
      for (const auto& e : b->second.verdicts) cd.added.push_back(e);
      if (!cd.added.empty()) d.classes_changed.push_back(std::move(cd));
      ++b;
    } else {
      DirectionDiff::ClassDelta cd;
      cd.id = a->first;
      DiffSorted(a->second.verdicts, b->second.verdicts,
                 [&](const auto& e) { cd.removed.push_back(e.first); },
                 [&](const auto& e) { cd.added.push_back(e); });
      if (!cd.removed.empty() || !cd.added.empty()) d.classes_changed.push_back(std::move(cd));
      ++a;
      ++b;
    }
  }
  return d;
}

}  // namespace

bool DirectionDiff::empty() const {
  return local_removed.empty() && local_added.empty() && defaults_removed.empty() &&
         defaults_added.empty() && hosts_removed.empty() && hosts_added.empty() &&
         ranges_removed.empty() && ranges_added.empty() && classes_added.empty() &&
         classes_removed.empty() && classes_changed.empty();
}

size_t DirectionDiff::ElementOps() const {
  size_t n = local_removed.size() + local_added.size() + defaults_removed.size() +
             defaults_added.size() + hosts_removed.size() + hosts_added.size() +
             ranges_removed.size() + ranges_added.size();
  for (const ClassDelta& c : classes_changed) n += c.removed.size() + c.added.size();
  return n;
}

PlanDiff DiffPlans(const Plan& from, const Plan& to) {
  PlanDiff diff;
  diff.skeleton_changed = !(from.options == to.options);
  diff.ingress = DiffDirection(from.ingress, to.ingress);
  diff.egress = DiffDirection(from.egress, to.egress);
  return diff;
}

void ApplyDiff(const PlanDiff& diff, Plan* plan) {
  for (auto [from, to] : {std::pair{&diff.ingress, &plan->ingress}, std::pair{&diff.egress, &plan->egress}}) {
    for (const IpAddress& ip : from->local_removed) to->local.erase(ip);
    to->local.insert(from->local_added.begin(), from->local_added.end());
    for (const IpAddress& ip : from->defaults_removed) to->defaults.erase(ip);
    for (const auto& [ip, v] : from->defaults_added) to->defaults[ip] = v;
    for (const IpAddress& ip : from->hosts_removed) to->peer_hosts.erase(ip);
    for (const auto& [ip, cls] : from->hosts_added) to->peer_hosts[ip] = cls;
    for (const AddressRange& r : from->ranges_removed) to->peer_ranges.erase(r);
    for (const auto& [r, cls] : from->ranges_added) to->peer_ranges[r] = cls;
    // Verdicts first, then whole classes: a removed class's verdicts are in
    // classes_changed too.
    for (const ClassId& id : from->classes_added) to->classes[id];
    for (const DirectionDiff::ClassDelta& cd : from->classes_changed) {
      VerdictMap& verdicts = to->classes[cd.id].verdicts;
      for (const VerdictKey& k : cd.removed) verdicts.erase(k);
      for (const auto& [k, v] : cd.added) verdicts[k] = v;
    }
    for (const ClassId& id : from->classes_removed) to->classes.erase(id);
  }
}

}  // namespace microseg
