// ObjectSink: where decoded objects go, one per (kind, key).
//
// A later object with the same kind and key replaces the earlier one in
// place, with a warning naming both origins (as applying both files with
// kubectl would leave the later one). Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/kinds.h"
#include "model/object_set.h"

namespace microseg {

class ObjectSink {
 public:
  ObjectSink(ObjectSet* objects, std::vector<std::string>* warnings)
      : objects_(objects), warnings_(warnings) {}

  // `origin` ("FILE: document N") names where the object came from.
  void Add(DecodedObject object, const std::string& origin);
  void Warn(std::string warning) { warnings_->push_back(std::move(warning)); }

 private:
  struct Seen {
    size_t index;
    std::string origin;
  };

  template <typename T>
  void AddTo(std::vector<T>* list, std::string_view kind, const std::string& key, T value,
             const std::string& origin);
  void SetBaseline(AdminNetworkPolicy value, const std::string& origin);

  // Records (kind, key) at *index and returns true; or, when seen before,
  // warns, sets *index to the earlier entry's and returns false.
  bool Claim(std::string_view kind, const std::string& key, const std::string& origin,
             size_t* index);

  ObjectSet* objects_;
  std::vector<std::string>* warnings_;
  std::unordered_map<std::string, Seen> seen_;  // by "KIND KEY"
};

}  // namespace microseg
