#include "controller/api/api_kinds.h"

#include <cassert>

#include "ingest/kinds.h"

namespace microseg {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

ApiKind Make(std::string_view kind, std::vector<std::string_view> aliases) {
  const KindSpec* spec = FindKind(kind);
  assert(spec != nullptr);  // the tables must agree
  return ApiKind{spec->kind, spec->api_version, spec->namespaced, std::move(aliases)};
}

}  // namespace

const std::vector<ApiKind>& ApiKinds() {
  static const std::vector<ApiKind> kKinds = {
      Make("Namespace", {"namespaces", "ns"}),
      Make("Node", {"nodes", "no"}),
      Make("Pod", {"pods", "po"}),
      Make("Service", {"services", "svc"}),
      Make("NetworkPolicy", {"networkpolicies", "netpol", "np"}),
      Make("AdminNetworkPolicy", {"adminnetworkpolicies", "anp"}),
      Make("BaselineAdminNetworkPolicy", {"baselineadminnetworkpolicies", "banp"}),
      Make("Workload", {"workloads", "wl"}),
      Make("IPList", {"iplists", "ipl"}),
      Make("Ruleset", {"rulesets", "rs"}),
      Make("EnforcementMode", {"enforcementmodes", "em"}),
  };
  return kKinds;
}

const ApiKind* ResolveKind(std::string_view name) {
  const std::string lower = Lower(name);
  for (const ApiKind& kind : ApiKinds()) {
    if (Lower(kind.kind) == lower) return &kind;
    for (std::string_view alias : kind.aliases) {
      if (alias == lower) return &kind;
    }
  }
  return nullptr;
}

// Ingest's list, so that apply and `validate` name the kinds alike.
std::string KindList() { return SupportedKindList(); }

bool IsValidObjectName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace microseg
