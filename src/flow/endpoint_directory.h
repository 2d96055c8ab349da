// EndpointDirectory: labels, node and named ports of every endpoint.
//
// PolicyEngine answers "who owns this IP" (Resolve) but keeps labels in
// its internal identity table; the directory holds what flow consumers
// show and group by. It is built from the same ObjectSet the engine loads,
// so the two agree. Immutable after construction; safe to share.
#pragma once

#include <string>
#include <unordered_map>

#include "model/object_set.h"

namespace microseg {

class EndpointDirectory {
 public:
  EndpointDirectory() = default;
  explicit EndpointDirectory(const ObjectSet& objects);

  const Pod* FindPod(const std::string& key) const;  // "ns/name"
  const Workload* FindWorkload(const std::string& name) const;
  const Node* FindNode(const std::string& name) const;

 private:
  std::unordered_map<std::string, Pod> pods_;
  std::unordered_map<std::string, Workload> workloads_;
  std::unordered_map<std::string, Node> nodes_;
};

}  // namespace microseg
