#include "kube/resources.h"

#include "model/kinds.h"

namespace microseg::kube {

namespace {

// A kind microseg reads: its name, group version and scope come from the
// kind registry; the forward flag is set.
Resource Forwarded(ObjectKind kind, std::string_view path) {
  const KindInfo& info = InfoOf(kind);
  return {info.kind, info.api_version, path, info.namespaced, true};
}

}  // namespace

const std::vector<Resource>& AllResources() {
  static const std::vector<Resource> kResources = {
      Forwarded(ObjectKind::kNamespace, "/api/v1/namespaces"),
      Forwarded(ObjectKind::kNode, "/api/v1/nodes"),
      Forwarded(ObjectKind::kPod, "/api/v1/pods"),
      Forwarded(ObjectKind::kService, "/api/v1/services"),
      {"EndpointSlice", "discovery.k8s.io/v1", "/apis/discovery.k8s.io/v1/endpointslices", true,
       false},
      Forwarded(ObjectKind::kNetworkPolicy, "/apis/networking.k8s.io/v1/networkpolicies"),
      Forwarded(ObjectKind::kAdminNetworkPolicy,
                "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies"),
      Forwarded(ObjectKind::kBaselineAdminNetworkPolicy,
                "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies"),
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
