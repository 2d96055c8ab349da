#include "agent/address_owners.h"

namespace microseg {
namespace {

void Claim(AddressOwners& owners, const IpAddress& ip, const std::string& owner) {
  auto [it, inserted] = owners.emplace(ip, owner);
  if (!inserted && owner < it->second) it->second = owner;
}

}  // namespace

AddressOwners OwnersOf(const ObjectSet& objects) {
  AddressOwners owners;
  for (const Pod& p : objects.pods) {
    if (p.host_network || !p.HoldsIps()) continue;
    const std::string owner = "pod " + (p.uid.empty() ? p.Key() : p.uid);
    for (const IpAddress& ip : p.ips) Claim(owners, ip, owner);
  }
  for (const Workload& w : objects.workloads) {
    for (const IpAddress& ip : w.ips) Claim(owners, ip, "workload " + w.name);
  }
  for (const Node& n : objects.nodes) {
    for (const IpAddress& ip : n.ips) Claim(owners, ip, "node " + n.name);
  }
  return owners;
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
