// IpIndex: which endpoint owns an address.
//
// Ownership is keyed by (IP, owner UID): an owner is removed only by the
// owner that added it, so a late delete of an old pod never evicts the new
// pod that reused its IP. When several owners claim one IP (a stale object
// not yet deleted: normal with per-node IPAM), the most recent claim wins
// and the others wait behind it.
//
// "Most recent" depends on the claims only, never on the order they were
// added, so every engine fed the same objects (the agent's, the
// controller's, the CLI's) picks the same owner: the greatest
// (created, uid, kind, key). `created` is metadata.creationTimestamp in
// RFC 3339 UTC form, which sorts as text; a claim without one (Nodes,
// Workloads, hand-written manifests) is older than every claim with one.
// The uid breaks ties (two pods created in the same second).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/ip.h"
#include "model/ruleset.h"

namespace microseg {

struct IpOwner {
  EndpointKind kind = EndpointKind::kPod;
  std::string key;  // "ns/pod", node name, workload name
  std::string uid;  // owner instance; pods use metadata.uid
  std::string created;  // RFC 3339 creation time; "" when unknown (oldest)
  bool operator==(const IpOwner&) const = default;
};

// True when `a` is an older claim than `b` (see above).
bool OlderClaim(const IpOwner& a, const IpOwner& b);

class IpIndex {
 public:
  void Add(const IpAddress& ip, IpOwner owner);
  // Removes the claim of exactly this owner (kind, key and uid must match;
  // `created` is not compared).
  void Remove(const IpAddress& ip, const IpOwner& owner);
  // The current owner: the most recent claim.
  const IpOwner* Lookup(const IpAddress& ip) const;
  // Whether the current owner of `ip` is the endpoint (kind, key).
  bool Owns(const IpAddress& ip, EndpointKind kind, const std::string& key) const {
    const IpOwner* o = Lookup(ip);
    return o != nullptr && o->kind == kind && o->key == key;
  }
  // How many owners claim `ip` (0 when none).
  size_t OwnerCount(const IpAddress& ip) const {
    auto it = owners_.find(ip);
    return it == owners_.end() ? 0 : it->second.size();
  }
  size_t size() const { return owners_.size(); }

 private:
  std::unordered_map<IpAddress, std::vector<IpOwner>> owners_;  // oldest first; back() is current
};

// PrefixTable: longest-prefix match over CIDR blocks (a binary trie per family).
// Values are small ints chosen by the caller (e.g. an IPList index).
class PrefixTable {
 public:
  void Insert(const Cidr& cidr, int value);
  // The value of the longest prefix containing `ip`, if any.
  std::optional<int> LongestMatch(const IpAddress& ip) const;
  // Values of every prefix containing `ip`, shortest first.
  std::vector<int> AllMatches(const IpAddress& ip) const;

 private:
  struct TrieNode {
    int child[2] = {-1, -1};
    std::optional<int> value;
  };
  std::vector<TrieNode>& Trie(IpFamily f) { return f == IpFamily::kV4 ? v4_ : v6_; }
  const std::vector<TrieNode>& Trie(IpFamily f) const { return f == IpFamily::kV4 ? v4_ : v6_; }

  std::vector<TrieNode> v4_{1}, v6_{1};
};

}  // namespace microseg
