#include "kube/resources.h"

namespace microseg::kube {

const std::vector<Resource>& AllResources() {
  static const std::vector<Resource> kResources = {
      {"Namespace", "v1", "/api/v1/namespaces", false, true},
      {"Node", "v1", "/api/v1/nodes", false, true},
      {"Pod", "v1", "/api/v1/pods", true, true},
      {"Service", "v1", "/api/v1/services", true, true},
      {"EndpointSlice", "discovery.k8s.io/v1", "/apis/discovery.k8s.io/v1/endpointslices", true,
       false},
      {"NetworkPolicy", "networking.k8s.io/v1", "/apis/networking.k8s.io/v1/networkpolicies", true,
       true},
      {"AdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1",
       "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies", false, true},
      {"BaselineAdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1",
       "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies", false, true},
  };
  return kResources;
}

const Resource* FindResource(std::string_view kind) {
  for (const Resource& r : AllResources()) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

}  // namespace microseg::kube
