#include "agent/address_owners.h"

#include <set>

#include "index/ip_index.h"

namespace microseg {
namespace {

// What an address may do in one direction, as text: equal text, equal rights.
// A local's verdicts count only for classes `other` has too: a class that
// came or went changes the rights of the peers in it (flagged as peers),
// not those of every local it names.
std::map<IpAddress, std::string> Rights(const DirectionPlan& d, const DirectionPlan& other) {
  std::map<IpAddress, std::string> out;
  for (const IpAddress& ip : d.local) {
    auto def = d.defaults.find(ip);
    out[ip] = "local " + std::string(def == d.defaults.end() ? "?" : PlanVerdictName(def->second)) + ";";
  }
  for (const auto& [id, cls] : d.classes) {
    if (!other.classes.count(id)) continue;
    for (const auto& [k, v] : cls.verdicts) {
      std::string& r = out[k.local];
      r += std::to_string(id) + ":" + std::to_string(k.proto_first) + "-" + std::to_string(k.proto_last) + "/" +
           std::to_string(k.port_first) + "-" + std::to_string(k.port_last) + "=" +
           std::string(PlanVerdictName(v)) + ";";
    }
  }
  for (const auto& [ip, id] : d.peer_hosts) out[ip] += "peer " + std::to_string(id) + ";";
  return out;
}

}  // namespace

AddressOwners OwnersOf(const ObjectSet& objects) {
  // The same index the engine uses, so the same claim wins.
  IpIndex index;
  std::set<IpAddress> ips;
  for (const Pod& p : objects.pods) {
    if (p.host_network || !p.HoldsIps()) continue;
    std::string uid = p.uid.empty() ? p.Key() : p.uid;
    for (const IpAddress& ip : p.ips) {
      index.Add(ip, {EndpointKind::kPod, p.Key(), "pod " + uid, p.created});
      ips.insert(ip);
    }
  }
  for (const Workload& w : objects.workloads) {
    for (const IpAddress& ip : w.ips) {
      index.Add(ip, {EndpointKind::kWorkload, w.name, "workload " + w.name, ""});
      ips.insert(ip);
    }
  }
  for (const Node& n : objects.nodes) {
    for (const IpAddress& ip : n.ips) {
      index.Add(ip, {EndpointKind::kNode, n.name, "node " + n.name, ""});
      ips.insert(ip);
    }
  }
  AddressOwners owners;
  for (const IpAddress& ip : ips) owners.emplace(ip, index.Lookup(ip)->uid);
  return owners;
}

std::vector<IpAddress> RightsChanges(const Plan& kernel, const Plan& wanted) {
  std::set<IpAddress> out;
  for (Direction d : {Direction::kIngress, Direction::kEgress}) {
    std::map<IpAddress, std::string> before = Rights(kernel.direction(d), wanted.direction(d)),
                                        after = Rights(wanted.direction(d), kernel.direction(d));
    for (const auto& [ip, r] : before) {
      auto it = after.find(ip);
      if (it == after.end() || it->second != r) out.insert(ip);
    }
    for (const auto& [ip, r] : after) {
      if (!before.count(ip)) out.insert(ip);
    }
  }
  return {out.begin(), out.end()};
}

std::vector<IpAddress> OwnerChanges(const AddressOwners& before, const AddressOwners& after) {
  std::vector<IpAddress> out;
  auto b = before.begin(), a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back((b++)->first);  // disappeared
    } else if (b == before.end() || a->first < b->first) {
      out.push_back((a++)->first);  // appeared
    } else {
      if (a->second != b->second) out.push_back(a->first);  // changed hands
      ++a, ++b;
    }
  }
  return out;
}

}  // namespace microseg
