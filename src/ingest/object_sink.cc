#include "ingest/object_sink.h"

#include <type_traits>
#include <utility>

#include "model/kinds.h"

namespace microseg {

void ObjectSink::Add(DecodedObject object, const std::string& origin) {
  std::visit(
      [&](auto&& value) {
        using T = std::decay_t<decltype(value)>;
        ObjectSet& set = *objects_;
        std::string key = ObjectKeyOf(value);
        const std::string_view kind = KindName(KindOfObject(value));
        if constexpr (std::is_same_v<T, Namespace>) {
          AddTo(&set.namespaces, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, Pod>) {
          AddTo(&set.pods, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, Node>) {
          AddTo(&set.nodes, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, Service>) {
          AddTo(&set.services, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, NetworkPolicy>) {
          AddTo(&set.network_policies, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, AdminNetworkPolicy>) {
          if (value.baseline) {
            SetBaseline(std::move(value), origin);
          } else {
            AddTo(&set.admin_network_policies, kind, key, std::move(value), origin);
          }
        } else if constexpr (std::is_same_v<T, Workload>) {
          AddTo(&set.workloads, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, IpList>) {
          AddTo(&set.ip_lists, kind, key, std::move(value), origin);
        } else if constexpr (std::is_same_v<T, Ruleset>) {
          AddTo(&set.rulesets, kind, key, std::move(value), origin);
        } else {
          static_assert(std::is_same_v<T, EnforcementMode>);
          AddTo(&set.enforcement_modes, kind, key, std::move(value), origin);
        }
      },
      std::move(object));
}

template <typename T>
void ObjectSink::AddTo(std::vector<T>* list, std::string_view kind, const std::string& key, T value,
                       const std::string& origin) {
  size_t index = list->size();
  if (Claim(kind, key, origin, &index)) {
    list->push_back(std::move(value));
  } else {
    (*list)[index] = std::move(value);
  }
}

void ObjectSink::SetBaseline(AdminNetworkPolicy value, const std::string& origin) {
  size_t index = 0;
  Claim(KindName(ObjectKind::kBaselineAdminNetworkPolicy), value.name, origin, &index);
  objects_->baseline_admin_network_policy = std::move(value);
}

bool ObjectSink::Claim(std::string_view kind, const std::string& key, const std::string& origin,
                       size_t* index) {
  std::string id;
  id.reserve(kind.size() + 1 + key.size());
  id.append(kind).append(1, ' ').append(key);
  auto [it, inserted] = seen_.try_emplace(std::move(id), Seen{*index, origin});
  if (inserted) return true;
  *index = it->second.index;
  Warn(origin + ": " + std::string(kind) + " " + key + ": duplicate of " + it->second.origin +
       "; the later one wins");
  it->second.origin = origin;
  return false;
}

}  // namespace microseg
