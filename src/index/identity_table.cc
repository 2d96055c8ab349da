#include "index/identity_table.h"

#include <cassert>

namespace microseg {

std::string IdentityTable::Key(EndpointKind kind, const std::string& ns, const Labels& labels,
                               bool unmanaged) {
  std::string key;
  key.reserve(ns.size() + 64);
  key += static_cast<char>('0' + static_cast<int>(kind));
  key += unmanaged ? 'u' : 'm';
  key += ns;
  key += '\0';
  for (const auto& [k, v] : labels.entries()) {
    key += k;
    key += '\0';
    key += v;
    key += '\0';
  }
  return key;
}

IdentityId IdentityTable::Join(EndpointKind kind, const std::string& ns, const Labels& labels,
                               bool unmanaged, const std::string& member) {
  std::string key = Key(kind, ns, labels, unmanaged);
  auto it = by_key_.find(key);
  IdentityId id;
  if (it != by_key_.end()) {
    id = it->second;
  } else {
    if (!free_ids_.empty()) {
      id = free_ids_.back();
      free_ids_.pop_back();
    } else {
      id = static_cast<IdentityId>(identities_.size());
      identities_.emplace_back();
    }
    Identity& fresh = identities_[id];
    fresh.id = id;
    fresh.kind = kind;
    fresh.namespace_name = ns;
    fresh.labels = labels;
    fresh.unmanaged = unmanaged;
    fresh.incarnation = next_incarnation_++;
    by_key_.emplace(std::move(key), id);
    if (kind == EndpointKind::kPod) by_namespace_[ns].insert(id);
  }
  identities_[id].members.insert(member);
  return id;
}

void IdentityTable::Leave(IdentityId id, const std::string& member) {
  Identity& identity = identities_[id];
  identity.members.erase(member);
  if (identity.live()) return;
  by_key_.erase(Key(identity.kind, identity.namespace_name, identity.labels, identity.unmanaged));
  if (identity.kind == EndpointKind::kPod) {
    auto ns = by_namespace_.find(identity.namespace_name);
    if (ns != by_namespace_.end()) {
      ns->second.erase(id);
      if (ns->second.empty()) by_namespace_.erase(ns);
    }
  }
  identity.labels = Labels();
  free_ids_.push_back(id);
}

const std::unordered_set<IdentityId>* IdentityTable::InNamespace(const std::string& ns) const {
  auto it = by_namespace_.find(ns);
  return it == by_namespace_.end() ? nullptr : &it->second;
}

}  // namespace microseg
