#include "flow/grouping.h"

#include "model/labels.h"

namespace microseg {

Result<GroupBy> GroupBy::Parse(std::string_view text) {
  GroupBy by;
  if (text == "namespace") {
    by.kind = Kind::kNamespace;
  } else if (text == "workload") {
    by.kind = Kind::kWorkload;
  } else {
    std::string err = ValidateLabelKey(text);
    if (!err.empty()) {
      return Status::Error("--group-by: expected namespace, workload or a label key: " + err);
    }
    by.label = std::string(text);
  }
  return by;
}

Group GroupOf(const EndpointInfo& e, const GroupBy& by) {
  using Detail = EndpointInfo::Detail;
  if (e.detail == Detail::kOther) return {"other", "other", "other"};
  if (e.kind == EndpointKind::kExternal) {
    return {e.key, e.detail == Detail::kRollup ? "external (folded)" : e.key, "external"};
  }
  const std::string* value = by.kind == GroupBy::Kind::kLabel ? e.labels.Get(by.label) : nullptr;
  bool one_by_one = by.kind == GroupBy::Kind::kWorkload;
  if (e.kind == EndpointKind::kPod) {
    if (value) {
      return {e.namespace_name + "/" + by.label + "=" + *value,
              *value + " (" + e.namespace_name + ")", "app"};
    }
    if (!one_by_one || e.detail == Detail::kRollup) {
      return {"ns:" + e.namespace_name, e.namespace_name, "namespace"};
    }
    return {e.key, e.key, "pod"};
  }
  std::string kind = e.kind == EndpointKind::kWorkload ? "workload" : "node";
  if (value) return {kind + ":" + by.label + "=" + *value, *value, "app"};
  if (e.detail == Detail::kRollup) return {kind + ":*", kind + "s (folded)", kind};
  return {kind + "/" + e.key, e.key, kind};
}

}  // namespace microseg
