#include "index/ip_index.h"

#include <algorithm>
#include <tuple>

namespace microseg {

bool OlderClaim(const IpOwner& a, const IpOwner& b) {
  return std::tie(a.created, a.uid, a.kind, a.key) < std::tie(b.created, b.uid, b.kind, b.key);
}

void IpIndex::Add(const IpAddress& ip, IpOwner owner) {
  Remove(ip, owner);
  auto& claims = owners_[ip];
  claims.insert(std::upper_bound(claims.begin(), claims.end(), owner, OlderClaim), std::move(owner));
}

void IpIndex::Remove(const IpAddress& ip, const IpOwner& owner) {
  auto it = owners_.find(ip);
  if (it == owners_.end()) return;
  auto& claims = it->second;
  auto same = [&](const IpOwner& c) { return c.kind == owner.kind && c.key == owner.key && c.uid == owner.uid; };
  claims.erase(std::remove_if(claims.begin(), claims.end(), same), claims.end());
  if (claims.empty()) owners_.erase(it);
}

const IpOwner* IpIndex::Lookup(const IpAddress& ip) const {
  auto it = owners_.find(ip);
  return it == owners_.end() ? nullptr : &it->second.back();
}

void PrefixTable::Insert(const Cidr& cidr, int value) {
  auto& trie = Trie(cidr.family());
  int node = 0;
  for (int i = 0; i < cidr.prefix_len(); ++i) {
    int b = cidr.network().bit(i);
    if (trie[node].child[b] < 0) {
      trie[node].child[b] = static_cast<int>(trie.size());
      trie.emplace_back();
    }
    node = trie[node].child[b];
  }
  trie[node].value = value;
}

std::vector<int> PrefixTable::AllMatches(const IpAddress& ip) const {
  const auto& trie = Trie(ip.family());
  std::vector<int> out;
  int node = 0;
  for (int i = 0;; ++i) {
    if (trie[node].value) out.push_back(*trie[node].value);
    if (i == ip.bit_width()) break;
    node = trie[node].child[ip.bit(i)];
    if (node < 0) break;
  }
  return out;
}

std::optional<int> PrefixTable::LongestMatch(const IpAddress& ip) const {
  std::vector<int> all = AllMatches(ip);
  if (all.empty()) return std::nullopt;
  return all.back();
}

}  // namespace microseg
