// ObjectSink: where decoded objects go, one per (kind, key).
//
// A later object with the same kind and key replaces the earlier one in
// place, with a warning naming both origins (as `kubectl apply` of both
// files would leave the later one). Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/object_set.h"

namespace microseg {

class ObjectSink {
 public:
  ObjectSink(ObjectSet* objects, std::vector<std::string>* warnings)
      : objects_(objects), warnings_(warnings) {}

  ObjectSet& objects() { return *objects_; }
  void Warn(std::string warning) { warnings_->push_back(std::move(warning)); }

  // `origin` is "FILE: document N", `key` "ns/name" or "name".
  template <typename T>
  void Add(std::string_view kind, const std::string& key, const std::string& origin, T value,
           std::vector<T>* list) {
    size_t index = list->size();
    if (const std::string* previous = Claim(kind, key, origin, &index)) {
      (*list)[index] = std::move(value);
      WarnDuplicate(kind, key, origin, *previous);
      return;
    }
    list->push_back(std::move(value));
  }

  // The BaselineAdminNetworkPolicy singleton.
  void SetBaseline(const std::string& origin, AdminNetworkPolicy value);

 private:
  struct Seen {
    size_t index;
    std::string origin;
  };

  // Records (kind, key) at *index and returns nullptr; or, when seen before,
  // sets *index to the earlier entry and returns its origin (then updated).
  const std::string* Claim(std::string_view kind, const std::string& key,
                           const std::string& origin, size_t* index);
  void WarnDuplicate(std::string_view kind, const std::string& key, const std::string& origin,
                     const std::string& previous);

  ObjectSet* objects_;
  std::vector<std::string>* warnings_;
  std::unordered_map<std::string, Seen> seen_;
  std::string previous_origin_;
};

}  // namespace microseg
