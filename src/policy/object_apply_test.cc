#include "policy/object_apply.h"

#include <gtest/gtest.h>

namespace microseg {
namespace {

Pod MakePod(const std::string& ns, const std::string& name) {
  Pod pod;
  pod.namespace_name = ns;
  pod.name = name;
  return pod;
}

TEST(ObjectApplyTest, UpsertsATypedObjectAndDeletesItByKind) {
  PolicyEngine engine;
  UpsertObject(&engine, MakePod("shop", "web"));
  ASSERT_NE(engine.FindPod("shop/web"), nullptr);
  EXPECT_FALSE(DeleteObject(&engine, ObjectKind::kPod, "other", "web"));
  EXPECT_TRUE(DeleteObject(&engine, ObjectKind::kPod, "shop", "web"));
  EXPECT_EQ(engine.FindPod("shop/web"), nullptr);
}

TEST(ObjectApplyTest, DeletesByKindNameAndRejectsUnknownKinds) {
  PolicyEngine engine;
  ObjectSet set;
  set.pods.push_back(MakePod("shop", "web"));
  UpsertObjects(&engine, std::move(set));
  EXPECT_FALSE(DeleteObject(&engine, std::string("Deployment"), "shop", "web"));
  EXPECT_FALSE(DeleteObject(&engine, std::string("pod"), "shop", "web"));  // kind names are exact
  EXPECT_TRUE(DeleteObject(&engine, std::string("Pod"), "shop", "web"));
  EXPECT_EQ(engine.FindPod("shop/web"), nullptr);
}

}  // namespace
}  // namespace microseg
