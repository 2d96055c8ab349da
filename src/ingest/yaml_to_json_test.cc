#include "ingest/yaml_to_json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ingest/field.h"
#include "ingest/limits.h"

namespace microseg {
namespace {

TEST(ResolvePlainScalar, CoreSchema) {
  struct Case {
    const char* description;
    const char* text;
    Json expected;
  };
  const Case cases[] = {
      {"empty is null", "", Json()},
      {"tilde is null", "~", Json()},
      {"null", "null", Json()},
      {"Null", "Null", Json()},
      {"true", "true", Json(true)},
      {"FALSE", "FALSE", Json(false)},
      {"YAML 1.1 yes is a string", "yes", Json("yes")},
      {"YAML 1.1 on is a string", "on", Json("on")},
      {"integer", "80", Json(80)},
      {"negative integer", "-5", Json(-5)},
      {"plus sign", "+7", Json(7)},
      {"leading zero is decimal in 1.2", "010", Json(10)},
      {"octal", "0o17", Json(15)},
      {"hex", "0x1F", Json(31)},
      {"int64 min", "-9223372036854775808", Json(INT64_MIN)},
      {"above int64 is unsigned", "18446744073709551615", Json(UINT64_MAX)},
      {"float", "1.5", Json(1.5)},
      {"float exponent", "1e3", Json(1000.0)},
      {"float leading dot", ".5", Json(0.5)},
      {"version-like text is a string", "1.2.3", Json("1.2.3")},
      {"IP is a string", "10.0.0.1", Json("10.0.0.1")},
      {"word", "web", Json("web")},
      {"hex without digits is a string", "0x", Json("0x")},
      {"sign alone is a string", "-", Json("-")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    Json actual = ResolvePlainScalar(c.text);
    EXPECT_EQ(actual.type(), c.expected.type());
    EXPECT_EQ(actual, c.expected);
  }
  EXPECT_TRUE(std::isinf(ResolvePlainScalar("-.inf").get<double>()));
  EXPECT_TRUE(std::isnan(ResolvePlainScalar(".NaN").get<double>()));
}

TEST(YamlToJson, QuotedAndTaggedScalarsAreStrings) {
  Result<std::vector<Json>> docs = YamlToJson(
      "a: 80\nb: \"80\"\nc: '80'\nd: !!str 80\ne: |\n  80\nf: true\ng: \"true\"\n80: x\n");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 1u);
  const Json& d = (*docs)[0];
  EXPECT_EQ(d["a"], Json(80));
  EXPECT_EQ(d["b"], Json("80"));
  EXPECT_EQ(d["c"], Json("80"));
  EXPECT_EQ(d["d"], Json("80"));
  EXPECT_EQ(d["e"], Json("80\n"));
  EXPECT_EQ(d["f"], Json(true));
  EXPECT_EQ(d["g"], Json("true"));
  EXPECT_EQ(d["80"], Json("x"));  // keys are strings
}

TEST(YamlToJson, DocumentsIncludingEmptyOnes) {
  Result<std::vector<Json>> docs = YamlToJson("a: 1\n---\n---\n# c\n---\n- 1\n- x\n");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 4u);
  EXPECT_EQ((*docs)[0], Json::parse(R"({"a": 1})"));
  EXPECT_TRUE((*docs)[1].is_null());
  EXPECT_TRUE((*docs)[2].is_null());
  EXPECT_EQ((*docs)[3], Json::parse(R"([1, "x"])"));
}

TEST(YamlToJson, Utf8) {
  Result<std::vector<Json>> docs = YamlToJson("a: caf\xc3\xa9 \xf0\x9f\x90\xb3\n");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  EXPECT_EQ((*docs)[0]["a"], Json("caf\xc3\xa9 \xf0\x9f\x90\xb3"));
  for (const char* bad :
       {"a: \xc0\xaf\n", "a: \xed\xa0\x80\n", "a: \xf4\x90\x80\x80\n", "a: \x80\n", "\xff: 1\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(YamlToJson(bad).ok());
  }
}

TEST(YamlToJson, AnchorsAndAliases) {
  Result<std::vector<Json>> docs = YamlToJson("base: &b {app: web}\ncopy: *b\nlist: [*b, *b]\n");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  EXPECT_EQ((*docs)[0]["copy"], Json::parse(R"({"app": "web"})"));
  EXPECT_EQ((*docs)[0]["list"][1], Json::parse(R"({"app": "web"})"));
}

TEST(YamlToJson, Errors) {
  struct Case {
    const char* description;
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"unclosed flow sequence", "a: 1\n---\nb: [1\n",
       "document 2: invalid YAML: line 4, column 1: end of sequence flow not found"},
      {"unknown alias", "a: *nope\n",
       "document 1: invalid YAML: line 1, column 4: the referenced anchor is not defined"},
      {"alias inside its own anchor", "a: &x [1, *x]\n",
       "document 1: invalid YAML: line 1, column 11: an alias may not refer to a node that "
       "contains it"},
      {"a map as a key", "? {a: 1}\n: x\n",
       "document 1: invalid YAML: line 1, column 3: a mapping key must be a string"},
      {"stray characters after a flow mapping (yaml-cpp would loop)", "{a: b}, c\n",
       "document 2: invalid YAML: line 1, column 7: unexpected characters after the document"},
      {"invalid UTF-8 (JSON text must be UTF-8; so must our strings)", "a: \"x\\xff\"\nb: \xc3\n",
       "document 1: invalid YAML: line 2, column 4: invalid UTF-8"},
      {"billion laughs",
       "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, "
       "*c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, "
       "*e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
       "document 1: invalid YAML: line 4, column 44: document too large after alias expansion"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    Result<std::vector<Json>> docs = YamlToJson(c.text);
    ASSERT_FALSE(docs.ok());
    EXPECT_EQ(docs.status().message(), c.error);
  }
}

TEST(YamlToJson, NestingIsBoundedBeforeTheParserRecurses) {
  // Flow style: ~66,000 levels in ~130 KB, once a stack overflow.
  std::string flow = std::string(66000, '[') + std::string(66000, ']');
  Result<std::vector<Json>> docs = YamlToJson(flow);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(),
            "document 1: invalid YAML: line 1, column 101: nested deeper than 100 levels");
  // Block style, and the limit itself.
  std::string block;
  for (size_t i = 0; i < kMaxNestingDepth; ++i) block += std::string(i, ' ') + "a:\n";
  block += std::string(kMaxNestingDepth, ' ') + "b: 1\n";
  docs = YamlToJson(block);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(),
            "document 1: invalid YAML: line 101, column 101: nested deeper than 100 levels");
  EXPECT_TRUE(YamlToJson(std::string(kMaxNestingDepth, '[') + std::string(kMaxNestingDepth, ']')).ok());
}

TEST(YamlToJson, DuplicateKeysAreErrors) {
  const char* text = "spec:\n  ingress: []\n  egress: []\n  ingress:\n  - {}\n";
  Result<std::vector<Json>> docs = YamlToJson(text);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(),
            "document 1: invalid YAML: line 4, column 3: duplicate field \"ingress\"");
  docs = YamlToJson("a: 1\n---\n{b: 1, b: 2}\n");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(),
            "document 2: invalid YAML: line 3, column 8: duplicate field \"b\"");
  // The same key in different maps, and null values, are fine.
  EXPECT_TRUE(YamlToJson("a: {x: 1}\nb: {x: 1}\nc:\n").ok());
  EXPECT_FALSE(YamlToJson("c:\nc:\n").ok());
}

TEST(Field, PathsAndTypeErrors) {
  Json doc = Json::parse(R"({"spec": {"ingress": [{"from": "x"}]},
                             "metadata": {"labels": {"app.kubernetes.io/name": 1}}})");
  Field root(doc);
  Field spec = root.Child("spec");
  Field ingress = spec.Child("ingress");
  Field rule = ingress.Item(0);
  Field from = rule.Child("from");
  EXPECT_EQ(from.Path(), "spec.ingress[0].from");
  EXPECT_EQ(from.ExpectList().message(), "spec.ingress[0].from: expected a list, got a string");
  Field missing = rule.Child("ports");
  EXPECT_FALSE(missing.present());
  EXPECT_TRUE(missing.ExpectList().ok());
  EXPECT_EQ(missing.RequireList().message(), "spec.ingress[0].ports: required field is missing");
  Field metadata = root.Child("metadata");
  Field labels = metadata.Child("labels");
  Field value = labels.Child("app.kubernetes.io/name");
  std::string text;
  EXPECT_EQ(value.ReadString(&text).message(),
            "metadata.labels[\"app.kubernetes.io/name\"]: expected a string, got an integer");
  EXPECT_EQ(root.ExpectList().message(), "expected a list, got a map");
  int64_t n = 0;
  EXPECT_EQ(spec.ReadInt(&n).message(), "spec: expected an integer, got a map");
}

}  // namespace
}  // namespace microseg
