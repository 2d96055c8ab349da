#include "ingest/kinds.h"

#include <vector>

#include "ingest/decoders.h"

namespace microseg {

namespace {

// Adapts `Status Decode(const Field&, T*)` to the table's signature.
template <typename T, Status (*Decode)(const Field&, T*)>
Status DecodeAs(const Field& doc, DecodedObject* out) {
  T value;
  MICROSEG_RETURN_IF_ERROR(Decode(doc, &value));
  *out = std::move(value);
  return Status::Ok();
}

Status DecodeAnp(const Field& doc, AdminNetworkPolicy* policy) {
  return DecodeAdminNetworkPolicy(doc, /*baseline=*/false, policy);
}

Status DecodeBanp(const Field& doc, AdminNetworkPolicy* policy) {
  return DecodeAdminNetworkPolicy(doc, /*baseline=*/true, policy);
}

// A switch, so that a kind added to the registry without a decoder does not
// compile (-Wswitch).
auto DecoderFor(ObjectKind kind) -> Status (*)(const Field&, DecodedObject*) {
  switch (kind) {
    case ObjectKind::kNamespace: return DecodeAs<Namespace, DecodeNamespace>;
    case ObjectKind::kPod: return DecodeAs<Pod, DecodePod>;
    case ObjectKind::kNode: return DecodeAs<Node, DecodeNode>;
    case ObjectKind::kService: return DecodeAs<Service, DecodeService>;
    case ObjectKind::kNetworkPolicy: return DecodeAs<NetworkPolicy, DecodeNetworkPolicy>;
    case ObjectKind::kAdminNetworkPolicy: return DecodeAs<AdminNetworkPolicy, DecodeAnp>;
    case ObjectKind::kBaselineAdminNetworkPolicy: return DecodeAs<AdminNetworkPolicy, DecodeBanp>;
    case ObjectKind::kWorkload: return DecodeAs<Workload, DecodeWorkload>;
    case ObjectKind::kIpList: return DecodeAs<IpList, DecodeIpList>;
    case ObjectKind::kRuleset: return DecodeAs<Ruleset, DecodeRuleset>;
    case ObjectKind::kEnforcementMode: return DecodeAs<EnforcementMode, DecodeEnforcementMode>;
  }
  return nullptr;
}

const std::vector<KindSpec>& Specs() {
  static const std::vector<KindSpec> kSpecs = [] {
    std::vector<KindSpec> specs;
    for (const KindInfo& info : AllKinds()) {
      specs.push_back({info.id, info.kind, info.api_version, info.namespaced, DecoderFor(info.id)});
    }
    return specs;
  }();
  return kSpecs;
}

}  // namespace

const KindSpec* FindKind(std::string_view kind) {
  for (const KindSpec& spec : Specs()) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

}  // namespace microseg
