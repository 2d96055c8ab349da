#include "ingest/object_sink.h"

namespace microseg {

const std::string* ObjectSink::Claim(std::string_view kind, const std::string& key,
                                     const std::string& origin, size_t* index) {
  std::string id;
  id.reserve(kind.size() + 1 + key.size());
  id.append(kind).append(1, ' ').append(key);
  auto [it, inserted] = seen_.try_emplace(std::move(id), Seen{*index, origin});
  if (inserted) return nullptr;
  *index = it->second.index;
  previous_origin_ = std::exchange(it->second.origin, origin);
  return &previous_origin_;
}

void ObjectSink::WarnDuplicate(std::string_view kind, const std::string& key,
                               const std::string& origin, const std::string& previous) {
  Warn(origin + ": " + std::string(kind) + " " + key + ": duplicate of " + previous +
       "; the later one wins");
}

void ObjectSink::SetBaseline(const std::string& origin, AdminNetworkPolicy value) {
  size_t index = 0;
  if (const std::string* previous = Claim(value.KindName(), value.name, origin, &index)) {
    WarnDuplicate(value.KindName(), value.name, origin, *previous);
  }
  objects_->baseline_admin_network_policy = std::move(value);
}

}  // namespace microseg
