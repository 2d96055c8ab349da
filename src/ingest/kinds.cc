#include "ingest/kinds.h"

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

constexpr char kNative[] = "microseg.io/v1alpha1";
constexpr char kAdmin[] = "policy.networking.k8s.io/v1alpha1";

constexpr KindSpec kKinds[] = {
    {"Namespace", "v1", false, DecodeAs<Namespace, DecodeNamespace>},
    {"Pod", "v1", true, DecodeAs<Pod, DecodePod>},
    {"Node", "v1", false, DecodeAs<Node, DecodeNode>},
    {"Service", "v1", true, DecodeAs<Service, DecodeService>},
    {"NetworkPolicy", "networking.k8s.io/v1", true, DecodeAs<NetworkPolicy, DecodeNetworkPolicy>},
    {"AdminNetworkPolicy", kAdmin, false, DecodeAs<AdminNetworkPolicy, DecodeAnp>},
    {"BaselineAdminNetworkPolicy", kAdmin, false, DecodeAs<AdminNetworkPolicy, DecodeBanp>},
    {"Workload", kNative, false, DecodeAs<Workload, DecodeWorkload>},
    {"IPList", kNative, false, DecodeAs<IpList, DecodeIpList>},
    {"Ruleset", kNative, false, DecodeAs<Ruleset, DecodeRuleset>},
    {"EnforcementMode", kNative, false, DecodeAs<EnforcementMode, DecodeEnforcementMode>},
};

}  // namespace

const KindSpec* FindKind(std::string_view kind) {
  for (const KindSpec& spec : kKinds) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

std::string SupportedKindList() {
  std::string out;
  for (const KindSpec& spec : kKinds) {
    if (!out.empty()) out += ", ";
    out += spec.kind;
  }
  return out;
}

}  // namespace microseg
