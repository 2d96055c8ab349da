// DecodeObject: one parsed object to its typed form, checked exactly as a
// manifest's object is (its messages are the manifest's, less the
// "SOURCE: document N: " prefix).
#include "ingest/object_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "ingest/ingest_test_util.h"
#include "ingest/manifest_text.h"
#include "ingest/yaml_to_json.h"

namespace microseg {
namespace {

Json ParseYaml(const std::string& text) {
  Result<std::vector<Json>> documents = YamlToJson(text);
  if (!documents.ok() || documents->size() != 1) {
    ADD_FAILURE() << "bad test input: " << text;
    return Json();
  }
  return (*documents)[0];
}

const std::string kPod =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\n"
    "status: {podIPs: [{ip: 10.0.0.1}]}\n";

const std::string kNp =
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: "
    "shop}\n";

TEST(DecodeObjectTest, DecodesToTheTypedObject) {
  Result<DecodedObject> decoded = DecodeObject(ParseYaml(kPod));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const Pod* pod = std::get_if<Pod>(&*decoded);
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->Key(), "shop/web");
  EXPECT_EQ(pod->ips.size(), 1u);

  Result<DecodedObject> banp = DecodeObject(ParseYaml(
      "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
      "metadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n"));
  ASSERT_TRUE(banp.ok()) << banp.status().message();
  EXPECT_EQ(std::visit([](const auto& o) { return KindOfObject(o); }, *banp),
            ObjectKind::kBaselineAdminNetworkPolicy);
}

TEST(DecodeObjectTest, ErrorsAreTheManifestsLessTheirOrigin) {
  const std::string prefix = "test.yaml: document 1: ";
  const std::vector<std::string> cases = {
      kNp + "specs: {}\n",  // an unknown field
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\n"
      "spec:\n  ingress:\n  - ports: [{port: \"eighty!\"}]\n",
      "apiVersion: v2\nkind: Pod\nmetadata: {name: p}\n",
      "apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\n",
      "apiVersion: v1\nmetadata: {name: d}\n",
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    DecodeOptions strict;
    strict.unsupported_kind_is_error = true;
    LoadedManifests unused;
    ObjectSink sink(&unused.objects, &unused.warnings);
    Status manifest = DecodeManifestText(text, "test.yaml", &sink, strict);
    ASSERT_FALSE(manifest.ok());
    ASSERT_EQ(manifest.message().substr(0, prefix.size()), prefix);
    Result<DecodedObject> decoded = DecodeObject(ParseYaml(text));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().message(), manifest.message().substr(prefix.size()));
  }
}

TEST(DecodeObjectTest, StoredObjectsMayCarryUnknownFields) {
  Json stored = ParseYaml(kNp + "spec: {futureField: 1}\n");
  EXPECT_FALSE(DecodeObject(stored).ok());
  EXPECT_TRUE(DecodeObject(stored, UnknownFields::kIgnore).ok());
}

TEST(DecodeObjectTest, ParsedListsLoadLikeTheirText) {
  const std::string text =
      R"({"kind": "List", "items": [)"
      R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},)"
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},)"
      R"( "future": true}]})";
  Result<LoadedManifests> from_text = ParseStoredManifests(text, "store@1");
  Result<LoadedManifests> from_json = ParseStoredDocument(Json::parse(text), "store@1");
  ASSERT_TRUE(from_text.ok()) << from_text.status().message();
  ASSERT_TRUE(from_json.ok()) << from_json.status().message();
  EXPECT_EQ(from_json->objects.size(), 2u);
  EXPECT_EQ(from_json->objects.pods.at(0).Key(), "shop/web");
  EXPECT_EQ(from_json->warnings, from_text->warnings);

  Result<LoadedManifests> bad = ParseStoredDocument(
      Json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Web!"}})"),
      "store@2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().substr(0, 19), "store@2: document 1");
}

}  // namespace
}  // namespace microseg
