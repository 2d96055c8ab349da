// IdentityTable: interns endpoints into identities.
//
// An identity is (kind, namespace, labels): every pod of a Deployment shares
// one, so policy selection is computed once per identity instead of once per
// pod. Identities are reference-counted by their members and their ids are
// reused after the last member leaves (ids stay dense for per-id arrays and
// for the dataplane's IP -> identity maps).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/labels.h"
#include "model/ruleset.h"

namespace microseg {

using IdentityId = uint32_t;

struct Identity {
  IdentityId id = 0;
  EndpointKind kind = EndpointKind::kPod;
  std::string namespace_name;  // pods only
  Labels labels;
  bool unmanaged = false;  // workloads only
  // Changes whenever the id is handed out anew, so caches keyed by id can
  // tell a reused id from the identity they were computed for.
  uint64_t incarnation = 0;
  std::unordered_set<std::string> members;  // endpoint keys ("ns/pod", node or workload name)
  bool live() const { return !members.empty(); }
};

class IdentityTable {
 public:
  // Adds `member` to the identity for (kind, ns, labels, unmanaged), creating it.
  IdentityId Join(EndpointKind kind, const std::string& ns, const Labels& labels, bool unmanaged,
                  const std::string& member);
  // Removes `member`; the identity is retired when it has no members left.
  void Leave(IdentityId id, const std::string& member);

  const Identity& Get(IdentityId id) const { return identities_[id]; }
  // Upper bound of ids ever handed out; retired ids are not live().
  size_t capacity() const { return identities_.size(); }
  size_t live_count() const { return by_key_.size(); }
  const std::vector<Identity>& all() const { return identities_; }
  // Ids of live pod identities of one namespace.
  const std::unordered_set<IdentityId>* InNamespace(const std::string& ns) const;

 private:
  static std::string Key(EndpointKind kind, const std::string& ns, const Labels& labels,
                         bool unmanaged);

  std::vector<Identity> identities_;
  std::unordered_map<std::string, IdentityId> by_key_;
  std::unordered_map<std::string, std::unordered_set<IdentityId>> by_namespace_;
  std::vector<IdentityId> free_ids_;
  uint64_t next_incarnation_ = 1;
};

}  // namespace microseg
