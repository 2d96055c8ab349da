#include "model/kinds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace microseg {
namespace {

TEST(KindRegistryTest, RowsAreInEnumOrderAndNamesRoundTrip) {
  size_t index = 0;
  for (const KindInfo& info : AllKinds()) {
    EXPECT_EQ(static_cast<size_t>(info.id), index++) << info.kind;
    EXPECT_EQ(&InfoOf(info.id), &info);
    EXPECT_EQ(ParseObjectKind(info.kind), info.id);
    ASSERT_FALSE(info.aliases.empty()) << info.kind;
  }
  EXPECT_EQ(ParseObjectKind("Deployment"), std::nullopt);
  EXPECT_EQ(ParseObjectKind("pod"), std::nullopt);  // exact names only
  EXPECT_EQ(SupportedKindList(),
            "Namespace, Pod, Node, Service, NetworkPolicy, AdminNetworkPolicy, "
            "BaselineAdminNetworkPolicy, Workload, IPList, Ruleset, EnforcementMode");
}

TEST(KindRegistryTest, ApplyOrderHoldsEveryKindOnce) {
  std::set<ObjectKind> seen(ApplyOrder().begin(), ApplyOrder().end());
  EXPECT_EQ(seen.size(), ApplyOrder().size());
  EXPECT_EQ(seen.size(), AllKinds().size());
  // What others refer to comes first.
  EXPECT_EQ(ApplyOrder().front(), ObjectKind::kNamespace);
}

TEST(KindRegistryTest, ForEachObjectVisitsKindsInApplyOrderWithTheirKeys) {
  ObjectSet set;
  set.enforcement_modes.push_back({});
  set.enforcement_modes.back().name = "strict";
  set.pods.push_back({});
  set.pods.back().namespace_name = "shop";
  set.pods.back().name = "web";
  set.workloads.push_back({});
  set.workloads.back().name = "db";
  set.namespaces.push_back({});
  set.namespaces.back().name = "shop";
  AdminNetworkPolicy baseline;
  baseline.name = "default";
  baseline.baseline = true;
  set.baseline_admin_network_policy = baseline;

  std::vector<std::string> visited;
  ForEachObject(set, [&](ObjectKind kind, const auto& o) {
    EXPECT_EQ(KindOfObject(o), kind);
    visited.push_back(std::string(KindName(kind)) + " " + ObjectKeyOf(o) + " [" +
                      std::string(NamespaceOf(o)) + "]");
  });
  EXPECT_EQ(visited, (std::vector<std::string>{
                         "Namespace shop []", "Workload db []", "Pod shop/web [shop]",
                         "BaselineAdminNetworkPolicy default []", "EnforcementMode strict []"}));
}

}  // namespace
}  // namespace microseg
