#include "ingest/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace microseg {
namespace {

std::string NestedLists(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// {"a":{"a":...{}...}}, `depth` maps deep.
std::string NestedMaps(size_t depth) {
  std::string text;
  for (size_t i = 1; i < depth; ++i) text += "{\"a\":";
  text += "{}";
  text += std::string(depth - 1, '}');
  return text;
}

TEST(ParseJsonText, NestingIsBoundedBeforeTheTreeIsBuilt) {
  // The tester's input: ~66,000 levels in ~140 KB, once a stack overflow.
  Result<Json> deep = ParseJsonText(NestedMaps(66000), {});
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "document 1: invalid JSON: nested deeper than 100 levels");
  EXPECT_FALSE(ParseJsonText(NestedLists(kMaxNestingDepth + 1), {}).ok());
  EXPECT_TRUE(ParseJsonText(NestedLists(kMaxNestingDepth), {}).ok());
  EXPECT_TRUE(ParseJsonText(NestedMaps(kMaxNestingDepth), {}).ok());
}

TEST(ParseJsonText, NestingIsBoundedInStreamedItems) {
  std::string text = R"({"kind":"List","items":[)" + NestedLists(66000) + "]}";
  size_t items = 0;
  Result<Json> parsed = ParseJsonText(text, [&](size_t, Json&) { ++items; });
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "document 1: invalid JSON: nested deeper than 100 levels");
  EXPECT_EQ(items, 0u);
}

TEST(ParseJsonText, DuplicateKeysAreErrors) {
  struct Case {
    const char* description;
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"top level", R"({"kind":"Pod","kind":"Pod"})", "document 1: kind: duplicate field"},
      {"nested", R"({"spec":{"ingress":[],"egress":[],"ingress":[{}]}})",
       "document 1: spec.ingress: duplicate field"},
      {"inside a list", R"({"spec":{"ingress":[{},{"from":[],"from":[]}]}})",
       "document 1: spec.ingress[1].from: duplicate field"},
      {"after a nested value", R"({"a":{"b":[1,[2],{"c":3}]},"d":[{"e":1,"e":2}]})",
       "document 1: d[0].e: duplicate field"},
      {"streamed item", R"({"items":[{"a":1},{"b":1,"b":2}],"kind":"List"})",
       "document 1: items[1].b: duplicate field"},
  };
  for (const Case& c : cases) {
    Result<Json> parsed = ParseJsonText(c.text, [](size_t, Json&) {});
    ASSERT_FALSE(parsed.ok()) << c.description;
    EXPECT_EQ(parsed.status().message(), c.error) << c.description;
  }
  // The same key in different objects is fine.
  EXPECT_TRUE(ParseJsonText(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]})", {}).ok());
}

TEST(ParseUntrustedJson, RefusesDeepNestingLikeMalformedInput) {
  EXPECT_TRUE(ParseUntrustedJson(NestedMaps(66000)).is_discarded());
  EXPECT_TRUE(ParseUntrustedJson(NestedLists(kMaxNestingDepth + 1)).is_discarded());
  EXPECT_TRUE(ParseUntrustedJson("{").is_discarded());
  EXPECT_EQ(ParseUntrustedJson(NestedLists(3)), Json::parse("[[[]]]"));
  EXPECT_EQ(ParseUntrustedJson(R"({"a":1})"), Json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace microseg
