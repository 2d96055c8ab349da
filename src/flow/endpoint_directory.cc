#include "flow/endpoint_directory.h"

namespace microseg {

EndpointDirectory::EndpointDirectory(const ObjectSet& objects) {
  for (const Pod& pod : objects.pods) pods_[pod.Key()] = pod;
  for (const Workload& w : objects.workloads) workloads_[w.name] = w;
  for (const Node& n : objects.nodes) nodes_[n.name] = n;
}

const Pod* EndpointDirectory::FindPod(const std::string& key) const {
  auto it = pods_.find(key);
  return it == pods_.end() ? nullptr : &it->second;
}

const Workload* EndpointDirectory::FindWorkload(const std::string& name) const {
  auto it = workloads_.find(name);
  return it == workloads_.end() ? nullptr : &it->second;
}

const Node* EndpointDirectory::FindNode(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

}  // namespace microseg
