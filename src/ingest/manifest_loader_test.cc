#include "ingest/manifest_loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LoadManifests, DirectoryIsRecursiveSortedAndFiltered) {
  std::string dir = TestData("tree");
  Result<LoadedManifests> loaded = LoadManifests({dir});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ObjectSet& objects = loaded->objects;
  EXPECT_EQ(objects.namespaces.size(), 1u);
  EXPECT_EQ(objects.network_policies.size(), 1u);  // sub/b.yml
  EXPECT_EQ(objects.services.size(), 1u);          // sub/deeper/c.json
  // notes.txt (not a manifest extension, and invalid YAML) is not read.
  // z-dup.yaml is read last and replaces the pod of a.yaml.
  ASSERT_EQ(objects.pods.size(), 1u);
  EXPECT_EQ(objects.pods[0].labels.ToString(), "app=web,version=v2");
  EXPECT_EQ(
      loaded->warnings,
      (std::vector<std::string>{dir + "/z-dup.yaml: document 1: Pod shop/web-1: duplicate of " +
                                dir + "/a.yaml: document 2; the later one wins"}));
}

TEST(LoadManifests, FilesInTheGivenOrder) {
  std::string a = TestData("tree/a.yaml"), dup = TestData("tree/z-dup.yaml");
  Result<LoadedManifests> loaded = LoadManifests({dup, a});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->objects.pods.size(), 1u);
  EXPECT_EQ(loaded->objects.pods[0].labels.ToString(), "app=web");  // a.yaml came last
}

TEST(LoadManifests, MissingPath) {
  Result<LoadedManifests> loaded = LoadManifests({TestData("tree/a.yaml"), "/nonexistent/x.yaml"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), "/nonexistent/x.yaml: no such file or directory");
}

TEST(LoadManifests, AnErrorLoadsNothing) {
  // The first file is fine, the second is not: the caller gets only the error.
  Result<LoadedManifests> loaded =
      LoadManifests({TestData("tree/a.yaml"), TestData("tree/notes.txt")});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            TestData("tree/notes.txt") +
                ": document 1: invalid YAML: line 2, column 1: end of sequence flow not found");
}

TEST(LoadManifests, JsonListEqualsYamlDocuments) {
  Result<LoadedManifests> yaml = LoadManifests({TestData("cluster.yaml")});
  Result<LoadedManifests> json = LoadManifests({TestData("cluster.json")});
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ(yaml->objects.size(), 11u);  // one of each kind
  EXPECT_TRUE(yaml->warnings.empty());
  EXPECT_EQ(Describe(json->objects), Describe(yaml->objects));
}

TEST(ParseManifests, JsonDetectedWithoutExtension) {
  // As for stdin: the text starts with '{', so the fast JSON reader is used.
  std::string text = ReadText(TestData("cluster.json"));
  LoadedManifests from_json = MustParse(text, "<stdin>");
  LoadedManifests from_yaml = MustParse(ReadText(TestData("cluster.yaml")), "<stdin>");
  EXPECT_EQ(Describe(from_json.objects), Describe(from_yaml.objects));
}

TEST(ParseManifests, JsonListItemsAreStreamed) {
  // kubectl writes "items" before "kind": items are decoded as they are
  // parsed, but count only once the document is known to be a List.
  struct Case {
    const char* description;
    const char* json;
    std::string result;  // Describe() of the objects, or the error
  };
  const Case cases[] = {
      {"items before kind",
       R"({"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}], "kind": "List"})",
       "Namespace a kubernetes.io/metadata.name=a\n"},
      {"items of a kind that is not a List are an unknown field",
       R"({"items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}, 5], "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}})",
       "test.json: document 1: Namespace b: items: unknown field"},
      {"a streamed item that is not a map",
       R"({"items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}, 5], "kind": "List"})",
       "test.json: document 1: items[1]: expected a map, got an integer"},
      {"a streamed item with an error names the object",
       R"({"items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "A"}}], "kind": "List"})",
       "test.json: document 1: Namespace A: metadata.name: invalid name \"A\": must be a lowercase "
       "RFC 1123 label (lowercase alphanumerics and '-', starting and ending with an "
       "alphanumeric)"},
      {"the first error wins", R"({"items": [{"kind": 1}, {"kind": 2}], "kind": "List"})",
       "test.json: document 1: items[0].kind: expected a string, got an integer"},
      {"nested lists are refused", R"({"items": [{"kind": "List", "items": []}], "kind": "List"})",
       "test.json: document 1: items[0]: a List inside a List is not supported"},
      {"null items are skipped", R"({"items": [null], "kind": "List"})", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    Result<LoadedManifests> loaded = ParseManifests(c.json, "test.json");
    EXPECT_EQ(loaded.ok() ? Describe(loaded->objects) : loaded.status().message(), c.result);
  }
}

TEST(ParseManifests, JsonListWarningsAndDuplicates) {
  LoadedManifests m = MustParse(R"({"items": [
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"v": "1"}}},
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"v": "2"}}}],
    "kind": "List", "apiVersion": "v1"})",
                                "test.json");
  ASSERT_EQ(m.objects.namespaces.size(), 1u);
  EXPECT_EQ(*m.objects.namespaces[0].labels.Get("v"), "2");
  EXPECT_EQ(m.warnings, (std::vector<std::string>{
                            "test.json: document 1: skipping unsupported kind Deployment",
                            "test.json: document 1: Namespace a: duplicate of test.json: "
                            "document 1; the later one wins",
                        }));
}

TEST(ParseManifests, YamlFlowMappingThatIsNotJson) {
  LoadedManifests m = MustParse("{apiVersion: v1, kind: Namespace, metadata: {name: a}}\n");
  ASSERT_EQ(m.objects.namespaces.size(), 1u);
}

TEST(ParseManifests, MultiDocumentListsAndUnknownKinds) {
  LoadedManifests m = MustParse(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}
- {apiVersion: v1, kind: Namespace, metadata: {name: b}}
---
apiVersion: v1
kind: PodList
items: [{apiVersion: v1, kind: Pod, metadata: {name: p}}]
---
apiVersion: v1
kind: NamespaceList
items: []
)");
  EXPECT_EQ(m.objects.namespaces.size(), 2u);
  EXPECT_EQ(m.objects.pods.size(), 1u);
  EXPECT_EQ(m.warnings, (std::vector<std::string>{
                            "test.yaml: document 1: skipping unsupported kind Deployment",
                            "test.yaml: document 3: skipping unsupported kind ConfigMap",
                        }));
}

TEST(ParseManifests, EmptyInputs) {
  struct Case {
    const char* description;
    const char* text;
  };
  const Case cases[] = {
      {"nothing", ""},
      {"comments only", "# nothing here\n"},
      {"empty documents", "---\n---\n# x\n---\n"},
      {"null document", "null\n"},
      {"empty JSON list", "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    LoadedManifests m = MustParse(c.text);
    EXPECT_EQ(m.objects.size(), 0u);
    EXPECT_TRUE(m.warnings.empty());
  }
}

TEST(ParseManifests, DuplicatesInOneText) {
  LoadedManifests m = MustParse(R"(
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {v: "1"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {v: "2"}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec: {subject: {namespaces: {}}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec: {subject: {namespaces: {matchLabels: {x: y}}}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: y}
)");
  ASSERT_EQ(m.objects.namespaces.size(), 1u);
  EXPECT_EQ(*m.objects.namespaces[0].labels.Get("v"), "2");
  EXPECT_EQ(m.objects.baseline_admin_network_policy->subject.namespace_selector.ToString(), "x=y");
  EXPECT_EQ(m.objects.pods.size(), 2u);  // different namespaces: not duplicates
  EXPECT_EQ(m.warnings,
            (std::vector<std::string>{
                "test.yaml: document 2: Namespace a: duplicate of test.yaml: document 1; the later "
                "one wins",
                "test.yaml: document 4: BaselineAdminNetworkPolicy default: duplicate of "
                "test.yaml: document 3; the later one wins",
            }));
}

TEST(ParseManifests, NullFieldsAreAbsent) {
  LoadedManifests m = MustParse(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: x, labels: ~}
spec:
  podSelector:
  policyTypes:
  ingress:
  - from:
    ports:
  egress: null
)");
  ASSERT_EQ(m.objects.network_policies.size(), 1u);
  const NetworkPolicy& np = m.objects.network_policies[0];
  EXPECT_TRUE(np.pod_selector.empty());
  ASSERT_EQ(np.ingress.size(), 1u);
  EXPECT_TRUE(np.ingress[0].peers.empty());
  EXPECT_TRUE(np.affects_ingress);
  EXPECT_FALSE(np.affects_egress);
}

}  // namespace
}  // namespace microseg
