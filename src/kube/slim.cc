#include "kube/slim.h"

#include <initializer_list>

namespace microseg::kube {

namespace {

using nlohmann::json;

// Copies the listed members of `from` (when it is an object) into a new object.
json Pick(const json& from, std::initializer_list<const char*> keys) {
  if (!from.is_object()) return from;
  json out = json::object();
  for (const char* key : keys) {
    if (auto it = from.find(key); it != from.end()) out[key] = *it;
  }
  return out;
}

json SlimContainers(const json& containers) {
  if (!containers.is_array()) return containers;
  json out = json::array();
  for (const json& c : containers) {
    if (c.is_object() && !c.contains("ports")) continue;  // nothing the decoder reads
    out.push_back(Pick(c, {"name", "ports"}));
  }
  return out;
}

json SlimPodSpec(const json& spec) {
  json out = Pick(spec, {"nodeName", "hostNetwork"});
  if (!out.is_object()) return out;
  for (const char* key : {"containers", "initContainers"}) {
    if (auto it = spec.find(key); it != spec.end()) out[key] = SlimContainers(*it);
  }
  return out;
}

}  // namespace

json Slim(const Resource& resource, const json& object) {
  if (!object.is_object()) return object;
  json out = json::object();
  out["apiVersion"] = std::string(resource.api_version);
  out["kind"] = std::string(resource.kind);
  if (auto it = object.find("metadata"); it != object.end()) {
    out["metadata"] = Pick(*it, {"name", "namespace", "uid", "creationTimestamp", "labels"});
  }
  auto spec = object.find("spec");
  auto status = object.find("status");
  if (resource.kind == "Pod") {
    if (spec != object.end()) out["spec"] = SlimPodSpec(*spec);
    if (status != object.end()) out["status"] = Pick(*status, {"phase", "podIP", "podIPs"});
  } else if (resource.kind == "Node") {
    if (status != object.end()) out["status"] = Pick(*status, {"addresses"});
  } else {
    if (spec != object.end()) out["spec"] = *spec;
    if (status != object.end()) out["status"] = *status;
  }
  // Everything else at the top level (e.g. a Service's or an ANP's data
  // outside spec) is kept for kinds other than Pod and Node.
  if (resource.kind != "Pod" && resource.kind != "Node") {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (!out.contains(it.key())) out[it.key()] = it.value();
    }
  }
  return out;
}

}  // namespace microseg::kube
