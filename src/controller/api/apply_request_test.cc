#include "controller/api/apply_request.h"

#include <gtest/gtest.h>

#include <string>

#include "controller/api/api_kinds.h"

namespace microseg {
namespace {

const char kNamespace[] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";

std::string DeepMaps(size_t depth) {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  return text + "1" + std::string(depth, '}');
}

TEST(ParseApplyRequest, DeepNestingIsAnErrorNotACrash) {
  // ~66,000 levels in ~400 KB: once a stack overflow in the controller.
  Result<ParsedRequest> parsed = ParseApplyRequest({{"deep.json", DeepMaps(66000)}});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "deep.json: document 1: invalid JSON: nested deeper than 100 levels");
  parsed = ParseApplyRequest({{"request", std::string(66000, '[') + std::string(66000, ']')}});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "request: document 1: invalid JSON: nested deeper than 100 levels");
  // A valid object with one deep field: the shape the controller copied
  // and dumped recursively.
  std::string pod = R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "x": )" +
                    DeepMaps(66000) + "}";
  parsed = ParseApplyRequest({{"pod.json", pod}});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "pod.json: document 1: invalid JSON: nested deeper than 100 levels");
  EXPECT_FALSE(ParseDeleteRequest({{"request", pod}}).ok());
}

TEST(ReadManifestSources, DeepEnvelopeIsRefused) {
  std::string body = R"({"manifests": [{"source": "a", "text": "", "x": )" + DeepMaps(66000) +
                     "}]}";
  Result<std::vector<ManifestSource>> sources =
      ReadManifestSources(body, kManifestsContentType, "request");
  ASSERT_FALSE(sources.ok());
  EXPECT_EQ(sources.status().message(), "request body: invalid JSON");
}

TEST(ParseApplyRequest, UnknownFieldsAndRepeatedKeysAreRefused) {
  Result<ParsedRequest> parsed = ParseApplyRequest(
      {{"web.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, "
        "namespace: shop}\nspec:\n  podSelector: {}\n  ingres: []\n"}});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "web.yaml: document 1: NetworkPolicy shop/web: spec.ingres: unknown field");
  parsed = ParseApplyRequest({{"ns.yaml", std::string(kNamespace) + "kind: Namespace\n"}});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "ns.yaml: document 1: invalid YAML: line 4, column 1: duplicate field \"kind\"");
}

TEST(ValidateApplyRequest, ReportsEveryError) {
  std::vector<ManifestSource> sources = {
      {"a.yaml",
       std::string(kNamespace) +
           "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: A}\n"
           "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, labl: {}}\n"},
      {"b.json",
       R"({"kind": "List", "items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "uid": 5}}, {"kind": "Deployment"}]})"},
      {"c.yaml", "a: [\n"},
  };
  std::vector<std::string> errors = ValidateApplyRequest(sources, nullptr);
  std::vector<std::string> expected = {
      "a.yaml: document 2: Namespace A: metadata.name: invalid name \"A\": must be a lowercase "
      "RFC 1123 label (lowercase alphanumerics and '-', starting and ending with an "
      "alphanumeric)",
      "a.yaml: document 3: Pod default/p: metadata.labl: unknown field",
      "b.json: document 1: Namespace b: metadata.uid: expected a string, got an integer",
      "b.json: document 1: items[1]: unsupported kind \"Deployment\" (supported: " + KindList() +
          ")",
      "c.yaml: document 1: invalid YAML: line 2, column 1: end of sequence flow not found",
  };
  EXPECT_EQ(errors, expected);
}

// validate and apply give the same verdict for the same input.
TEST(ValidateApplyRequest, AgreesWithApply) {
  struct Case {
    const char* description;
    std::string text;
  };
  const Case cases[] = {
      {"valid", kNamespace},
      {"an unsupported kind", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"},
      {"an unsupported kind beside a valid one",
       std::string(kNamespace) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
      {"empty", ""},
      {"only comments", "# nothing\n---\n"},
      {"an empty List", R"({"kind": "List", "items": []})"},
      {"an invalid object", "apiVersion: v1\nkind: Namespace\nmetadata: {name: A}\n"},
      {"an unknown field", std::string(kNamespace) + "spec2: {}\n"},
      {"a repeated key", std::string(kNamespace) + "metadata: {name: x}\n"},
      {"syntax", "{"},
      {"deep", DeepMaps(1000)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    std::vector<ManifestSource> sources = {{"x.yaml", c.text}};
    std::vector<std::string> errors = ValidateApplyRequest(sources, nullptr);
    Result<ParsedRequest> applied = ParseApplyRequest(sources);
    // The controller refuses a request without objects (api_handlers.cc).
    bool apply_ok = applied.ok() && !applied->objects.empty();
    EXPECT_EQ(errors.empty(), apply_ok);
    if (!applied.ok() && !errors.empty()) {
      EXPECT_EQ(errors.front(), applied.status().message());
    }
  }
  size_t objects = 0;
  EXPECT_TRUE(ValidateApplyRequest({{"x.yaml", kNamespace}}, &objects).empty());
  EXPECT_EQ(objects, 1u);
  EXPECT_EQ(ValidateApplyRequest({{"x.yaml", ""}}, nullptr),
            std::vector<std::string>{"no objects to apply"});
}

}  // namespace
}  // namespace microseg
