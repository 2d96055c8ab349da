#include "model/kinds.h"

#include <array>
#include <cassert>

namespace microseg {

namespace {

constexpr char kNative[] = "microseg.io/v1alpha1";
constexpr char kAdmin[] = "policy.networking.k8s.io/v1alpha1";

// Rows are in ObjectKind order (InfoOf indexes by it).
const std::vector<KindInfo>& Table() {
  static const std::vector<KindInfo> kTable = {
      {ObjectKind::kNamespace, "Namespace", "v1", false, {"namespaces", "ns"}},
      {ObjectKind::kPod, "Pod", "v1", true, {"pods", "po"}},
      {ObjectKind::kNode, "Node", "v1", false, {"nodes", "no"}},
      {ObjectKind::kService, "Service", "v1", true, {"services", "svc"}},
      {ObjectKind::kNetworkPolicy, "NetworkPolicy", "networking.k8s.io/v1", true,
       {"networkpolicies", "netpol", "np"}},
      {ObjectKind::kAdminNetworkPolicy, "AdminNetworkPolicy", kAdmin, false,
       {"adminnetworkpolicies", "anp"}},
      {ObjectKind::kBaselineAdminNetworkPolicy, "BaselineAdminNetworkPolicy", kAdmin, false,
       {"baselineadminnetworkpolicies", "banp"}},
      {ObjectKind::kWorkload, "Workload", kNative, false, {"workloads", "wl"}},
      {ObjectKind::kIpList, "IPList", kNative, false, {"iplists", "ipl"}},
      {ObjectKind::kRuleset, "Ruleset", kNative, false, {"rulesets", "rs"}},
      {ObjectKind::kEnforcementMode, "EnforcementMode", kNative, false,
       {"enforcementmodes", "em"}},
  };
  return kTable;
}

constexpr std::array kApplyOrder = {
    ObjectKind::kNamespace,          ObjectKind::kNode,    ObjectKind::kWorkload,
    ObjectKind::kPod,                ObjectKind::kService, ObjectKind::kIpList,
    ObjectKind::kNetworkPolicy,      ObjectKind::kAdminNetworkPolicy,
    ObjectKind::kBaselineAdminNetworkPolicy, ObjectKind::kRuleset,
    ObjectKind::kEnforcementMode,
};

}  // namespace

std::span<const KindInfo> AllKinds() { return Table(); }

std::span<const ObjectKind> ApplyOrder() { return kApplyOrder; }

const KindInfo& InfoOf(ObjectKind kind) {
  const KindInfo& info = Table()[static_cast<size_t>(kind)];
  assert(info.id == kind);  // rows are in enum order
  return info;
}

std::optional<ObjectKind> ParseObjectKind(std::string_view kind) {
  for (const KindInfo& info : Table()) {
    if (info.kind == kind) return info.id;
  }
  return std::nullopt;
}

std::string SupportedKindList() {
  std::string out;
  for (const KindInfo& info : Table()) {
    if (!out.empty()) out += ", ";
    out += info.kind;
  }
  return out;
}

}  // namespace microseg
