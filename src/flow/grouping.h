// Grouping endpoints into applications, shared by `map` and `recommend`.
//
// --group-by LABEL (default "app"): pods by (namespace, label value);
//   workloads and nodes by label value. Endpoints without the label: pods by
//   namespace, workloads and nodes one by one.
// --group-by namespace: pods by namespace; workloads and nodes one by one.
// --group-by workload: every pod, workload and node on its own.
// External addresses are always their own group (the IP); rollups and
// `other` aggregates (see FlowAggregator) keep what they still know.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "flow/endpoint_info.h"

namespace microseg {

struct GroupBy {
  enum class Kind : uint8_t { kLabel, kNamespace, kWorkload };
  Kind kind = Kind::kLabel;
  std::string label = "app";  // kLabel only

  // "namespace", "workload", or a label key ("app", "app.kubernetes.io/name").
  static Result<GroupBy> Parse(std::string_view text);
};

struct Group {
  // Unique and stable: "shop/app=web", "ns:shop", "workload:app=db",
  // "workload/db-1", "node/n1", "shop/web-1", "203.0.113.7", "other".
  std::string id;
  std::string label;  // for people: "web (shop)", "shop", "db", ...
  // "app" (the label grouped on), "namespace", "pod", "workload", "node",
  // "external", "other".
  std::string kind;
};

Group GroupOf(const EndpointInfo& e, const GroupBy& by);

}  // namespace microseg
