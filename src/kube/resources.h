// The Kubernetes resources kube-sync lists and watches.
//
// One row per resource: its kind, group version and scope (from the kind
// registry, model/kinds.h, for the kinds microseg reads) and its collection
// path on the API server. Rows whose
// `forward` is false are listed and watched but never reach the sink
// (EndpointSlices: accepted, content ignored for now).
#pragma once

#include <string_view>
#include <vector>

namespace microseg::kube {

struct Resource {
  std::string_view kind;         // "NetworkPolicy"
  std::string_view api_version;  // "networking.k8s.io/v1"
  std::string_view path;         // "/apis/networking.k8s.io/v1/networkpolicies"
  bool namespaced;
  bool forward;
};

// Every resource, in the order their syncs start (namespaces first).
const std::vector<Resource>& AllResources();

// nullptr when `kind` is not a watched kind.
const Resource* FindResource(std::string_view kind);

}  // namespace microseg::kube
