#include "model/labels.h"

#include <gtest/gtest.h>

namespace microseg {
namespace {

TEST(LabelSelectorTest, EmptyMatchesEverything) {
  EXPECT_TRUE(LabelSelector().Matches(Labels()));
  EXPECT_TRUE(LabelSelector().Matches(Labels{{"a", "1"}}));
}

TEST(LabelSelectorTest, Operators) {
  struct Row {
    const char* description;
    LabelRequirement requirement;
    Labels labels;
    bool matches;
  };
  using Op = LabelRequirement::Op;
  const Row rows[] = {
      {"In matches a listed value", {"app", Op::kIn, {"web", "db"}}, {{"app", "db"}}, true},
      {"In needs the key", {"app", Op::kIn, {"web"}}, {}, false},
      {"NotIn rejects a listed value", {"app", Op::kNotIn, {"web"}}, {{"app", "web"}}, false},
      {"NotIn matches a missing key", {"app", Op::kNotIn, {"web"}}, {}, true},
      {"Exists", {"app", Op::kExists, {}}, {{"app", ""}}, true},
      {"Exists needs the key", {"app", Op::kExists, {}}, {{"tier", "x"}}, false},
      {"DoesNotExist", {"app", Op::kDoesNotExist, {}}, {{"tier", "x"}}, true},
      {"DoesNotExist rejects the key", {"app", Op::kDoesNotExist, {}}, {{"app", "x"}}, false},
  };
  for (const Row& row : rows) {
    LabelSelector s;
    s.AddRequirement(row.requirement);
    EXPECT_EQ(s.Matches(row.labels), row.matches) << row.description;
  }
}

TEST(LabelSelectorTest, RequirementsAreAndedAndCanonical) {
  LabelSelector a, b;
  a.AddMatchLabel("app", "web");
  a.AddRequirement({"env", LabelRequirement::Op::kNotIn, {"dev", "ci"}});
  b.AddRequirement({"env", LabelRequirement::Op::kNotIn, {"ci", "dev"}});
  b.AddMatchLabel("app", "web");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.ToString(), "app=web,env notin (ci,dev)");
  EXPECT_TRUE(a.Matches({{"app", "web"}, {"env", "prod"}}));
  EXPECT_FALSE(a.Matches({{"app", "web"}, {"env", "dev"}}));
}

TEST(LabelValidationTest, KeysAndValues) {
  EXPECT_EQ(ValidateLabelKey("app"), "");
  EXPECT_EQ(ValidateLabelKey("kubernetes.io/metadata.name"), "");
  EXPECT_NE(ValidateLabelKey("-app"), "");
  EXPECT_NE(ValidateLabelKey("Bad_Prefix/app"), "");
  EXPECT_NE(ValidateLabelKey(std::string(64, 'a')), "");
  EXPECT_EQ(ValidateLabelValue(""), "");
  EXPECT_EQ(ValidateLabelValue("v1.2_x"), "");
  EXPECT_EQ(ValidateLabelValue("no spaces"),
            "invalid label value \"no spaces\": value may contain only alphanumerics, '-', '_' and '.'");
  EXPECT_EQ(ValidateDnsLabel("shop"), "");
  EXPECT_NE(ValidateDnsLabel("Shop"), "");
  EXPECT_EQ(ValidateDnsSubdomain("a.b-c"), "");
}

}  // namespace
}  // namespace microseg
