#include "plan/peer_patch.h"

#include <algorithm>
#include <set>
#include <utility>

namespace microseg {
namespace {

bool SamePorts(const std::vector<ContainerPort>& a, const std::vector<ContainerPort>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].port != b[i].port || a[i].protocol != b[i].protocol) {
      return false;
    }
  }
  return true;
}

std::vector<IpAddress> LiveIps(const Pod* p) {
  if (p == nullptr || !p->HoldsIps() || p->host_network) return {};
  return p->ips;
}

bool Contains(const std::vector<IpAddress>& v, const IpAddress& ip) {
  return std::find(v.begin(), v.end(), ip) != v.end();
}

// The class of the block around `ip`; nullopt outside every block.
std::optional<ClassId> RangeClass(const DirectionPlan& d, const IpAddress& ip) {
  // Ranges are disjoint: the one holding ip is the last starting at or
  // before it.
  auto it = d.peer_ranges.upper_bound(AddressRange{ip, ip});
  if (it != d.peer_ranges.end() && it->first.first == ip) return it->second;
  if (it == d.peer_ranges.begin()) return std::nullopt;
  --it;
  const AddressRange& r = it->first;
  if (r.first.family() == ip.family() && !(ip < r.first) && !(r.last < ip)) return it->second;
  return std::nullopt;
}

std::string ClassText(const std::optional<ClassId>& id) { return id ? std::to_string(*id) : "-"; }

std::optional<ClassId> HostClass(const DirectionPlan& d, const IpAddress& ip) {
  auto it = d.peer_hosts.find(ip);
  if (it == d.peer_hosts.end()) return std::nullopt;
  return it->second;
}

// What decides a peer address's class besides its rules' tokens: the pod's
// identity (namespace, labels), its ports (named-port tokens) and the blocks
// around the address.
std::string KindKey(const Plan& plan, const Pod& p, const IpAddress& ip) {
  std::string key = p.namespace_name + "|" + p.labels.ToString() + "|";
  for (const ContainerPort& cp : p.ports) {
    key += cp.name + "/" + std::to_string(cp.port) + "/" + std::string(ProtocolName(cp.protocol)) +
           ",";
  }
  return key + "|" + (ip.is_v4() ? "v4" : "v6") + "|" + ClassText(RangeClass(plan.ingress, ip)) +
         "|" + ClassText(RangeClass(plan.egress, ip));
}

using Classes = std::pair<std::optional<ClassId>, std::optional<ClassId>>;  // ingress, egress

struct Address {
  IpAddress ip;
  const Pod* pod;
};

}  // namespace

Result<PlanDiff> PatchPeers(const Plan& plan, const PolicyEngine& engine,
                            const std::vector<PodChange>& changed, PeerClassMemory* memory) {
  const DirectionPlan* dirs[2] = {&plan.ingress, &plan.egress};
  PlanDiff diff;
  DirectionDiff* ddirs[2] = {&diff.ingress, &diff.egress};

  // Which addresses leave and which arrive. A pod that keeps its kind keeps
  // its class: only its new addresses arrive and its old ones leave.
  std::set<std::string> keys;
  std::vector<Address> removed, added;
  for (const PodChange& c : changed) {
    if (!keys.insert(c.key).second) continue;  // the first entry holds the pod before
    const Pod* now = engine.FindPod(c.key);
    const Pod* old = c.before ? &*c.before : nullptr;
    for (const Pod* p : {old, now}) {
      if (p != nullptr && (p->node_name == plan.node || p->host_network)) {
        return Status::Error("a local or hostNetwork pod changed");
      }
    }
    std::vector<IpAddress> old_ips = LiveIps(old), new_ips = LiveIps(now);
    bool same_kind = old && now && old->namespace_name == now->namespace_name &&
                     old->labels.ToString() == now->labels.ToString() &&
                     SamePorts(old->ports, now->ports);
    for (const IpAddress& ip : old_ips) {
      if (!same_kind || !Contains(new_ips, ip)) removed.push_back({ip, old});
    }
    for (const IpAddress& ip : new_ips) {
      if (!same_kind || !Contains(old_ips, ip)) added.push_back({ip, now});
    }
  }
  auto is_local = [&](const IpAddress& ip) {
    return plan.ingress.local.count(ip) > 0 || plan.egress.local.count(ip) > 0;
  };

  // Removals: learn each kind's classes (for a pod of the kind that comes
  // back when its identity has no other member).
  std::set<IpAddress> gone;
  std::map<std::string, Classes> learned;
  std::set<ClassId> losing[2];
  for (const Address& r : removed) {
    bool re_added =
        std::any_of(added.begin(), added.end(), [&](const Address& a) { return a.ip == r.ip; });
    if (re_added || engine.AddressOwnerCount(r.ip) > 0 || is_local(r.ip)) {
      return Status::Error("a removed address is still held or local");
    }
    if (!gone.insert(r.ip).second) continue;  // two pods had claimed it
    Classes classes{HostClass(plan.ingress, r.ip), HostClass(plan.egress, r.ip)};
    learned[KindKey(plan, *r.pod, r.ip)] = classes;
    for (int i = 0; i < 2; ++i) {
      const std::optional<ClassId>& cls = i == 0 ? classes.first : classes.second;
      if (!cls) continue;
      ddirs[i]->hosts_removed.push_back(r.ip);
      losing[i].insert(*cls);
    }
  }

  // Additions: the classes of an unchanged twin, or the remembered ones.
  std::set<ClassId> gaining[2];
  for (const Address& a : added) {
    if (engine.AddressOwnerCount(a.ip) != 1 || is_local(a.ip)) {
      return Status::Error("an added address has several owners or is local");
    }
    if (plan.ingress.peer_hosts.count(a.ip) || plan.egress.peer_hosts.count(a.ip)) {
      return Status::Error("an added address is already a peer");
    }
    Result<Endpoint> self = engine.Resolve("pod/" + a.pod->Key());
    if (!self.ok() || self->identity == kNoIdentity)
      return Status::Error("an added pod has no identity");
    const std::unordered_set<std::string>* members = engine.IdentityMembers(self->identity);
    if (members == nullptr) return Status::Error("an added pod's identity is gone");
    // An unchanged member with the same ports and the same surrounding
    // blocks has the same class in both directions.
    std::optional<Classes> classes;
    int tried = 0;
    for (const std::string& m : *members) {
      if (++tried > 16) break;
      if (keys.count(m)) continue;
      const Pod* sibling = engine.FindPod(m);
      if (sibling == nullptr || !SamePorts(sibling->ports, a.pod->ports)) continue;
      for (const IpAddress& z : LiveIps(sibling)) {
        if (z.family() != a.ip.family() || engine.AddressOwnerCount(z) != 1 || is_local(z))
          continue;
        if (RangeClass(plan.ingress, z) != RangeClass(plan.ingress, a.ip) ||
            RangeClass(plan.egress, z) != RangeClass(plan.egress, a.ip)) {
          continue;
        }
        classes = Classes{HostClass(plan.ingress, z), HostClass(plan.egress, z)};
        break;
      }
      if (classes) break;
    }
    if (!classes) {
      std::string kind = KindKey(plan, *a.pod, a.ip);
      if (auto it = learned.find(kind); it != learned.end()) {
        classes = it->second;
      } else if (auto known = memory->by_kind_.find(kind); known != memory->by_kind_.end()) {
        classes = known->second;
      } else {
        return Status::Error("an added pod has no twin and no remembered class");
      }
    }
    for (int i = 0; i < 2; ++i) {
      const std::optional<ClassId>& cls = i == 0 ? classes->first : classes->second;
      if (!cls) continue;
      ddirs[i]->hosts_added.emplace_back(a.ip, *cls);
      gaining[i].insert(*cls);
    }
  }

  // Classes: one that lost addresses and has none left leaves the plan (as
  // a compile would not make it); one an added address needs comes back.
  std::map<ClassId, PeerClass> dropped[2];
  for (int i = 0; i < 2; ++i) {
    const DirectionPlan& dp = *dirs[i];
    DirectionDiff& dd = *ddirs[i];
    std::set<ClassId> orphans;
    for (const ClassId& c : losing[i]) {
      if (!gaining[i].count(c)) orphans.insert(c);
    }
    for (const auto& [range, c] : dp.peer_ranges) orphans.erase(c);
    for (auto it = dp.peer_hosts.begin(); !orphans.empty() && it != dp.peer_hosts.end(); ++it) {
      if (orphans.count(it->second) && !gone.count(it->first)) orphans.erase(it->second);
    }
    for (const ClassId& c : orphans) {
      const PeerClass& pc = dp.classes.at(c);
      dd.classes_removed.push_back(c);
      DirectionDiff::ClassDelta cd{c, {}, {}};
      for (const auto& [k, v] : pc.verdicts) cd.removed.push_back(k);
      if (!cd.removed.empty()) dd.classes_changed.push_back(std::move(cd));
      dropped[i].emplace(c, pc);
    }
    for (const ClassId& c : gaining[i]) {
      if (dp.classes.count(c)) continue;
      auto it = memory->dropped_[i].find(c);
      if (it == memory->dropped_[i].end())
        return Status::Error("a remembered class is no longer known");
      dd.classes_added.push_back(c);
      DirectionDiff::ClassDelta cd{c, {}, {}};
      for (const auto& e : it->second.verdicts) cd.added.push_back(e);
      if (!cd.added.empty()) dd.classes_changed.push_back(std::move(cd));
    }
    std::sort(dd.hosts_removed.begin(), dd.hosts_removed.end());
    std::sort(dd.hosts_added.begin(), dd.hosts_added.end());
  }

  // The patch holds: remember what it learned.
  for (auto& [kind, classes] : learned) memory->by_kind_[kind] = std::move(classes);
  for (int i = 0; i < 2; ++i) {
    for (const ClassId& c : ddirs[i]->classes_added) memory->dropped_[i].erase(c);
    for (auto& [c, pc] : dropped[i]) memory->dropped_[i][c] = std::move(pc);
  }
  return diff;
}

}  // namespace microseg
