// Strict decoding: unknown fields, repeated keys and deep nesting are
// errors that name file, document, object and field; everything the
// Kubernetes API itself writes is still read.
#include <gtest/gtest.h>

#include <string>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

const std::string kNp =
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: "
    "shop}\n";
const std::string kNpError = "test.yaml: document 1: NetworkPolicy shop/web: ";

TEST(StrictDecoding, UnknownFieldsAreErrors) {
  struct Case {
    const char* description;
    std::string manifest;
    std::string error;
  };
  const Case cases[] = {
      {"a typo of ingress", kNp + "spec:\n  podSelector: {}\n  ingres:\n  - {}\n",
       kNpError + "spec.ingres: unknown field"},
      {"a typo of matchLabels",
       kNp + "spec:\n  podSelector: {matchLabel: {app: web}}\n",
       kNpError + "spec.podSelector.matchLabel: unknown field"},
      {"deep in a peer",
       kNp + "spec:\n  ingress:\n  - from:\n    - podSelector: {}\n    - ipBlock: {cidr: "
             "10.0.0.0/8, exept: [10.1.0.0/16]}\n",
       kNpError + "spec.ingress[0].from[1].ipBlock.exept: unknown field"},
      {"a port field", kNp + "spec:\n  egress:\n  - ports: [{port: 80, endport: 90}]\n",
       kNpError + "spec.egress[0].ports[0].endport: unknown field"},
      {"top level", kNp + "specs: {}\n", kNpError + "specs: unknown field"},
      {"metadata", kNp.substr(0, kNp.size() - 1) + "\n" + "metadata2: {}\n",
       kNpError + "metadata2: unknown field"},
      {"a key that looks like a path",
       kNp + "spec:\n  podSelector.matchLabels: {}\n",
       kNpError + "spec[\"podSelector.matchLabels\"]: unknown field"},
      {"metadata typo on a Pod",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, label: {app: web}}\n",
       "test.yaml: document 1: Pod shop/p: metadata.label: unknown field"},
      {"AdminNetworkPolicy subject",
       "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: "
       "{name: a}\nspec:\n  priority: 1\n  subject: {namespaces: {}, pod: {}}\n",
       "test.yaml: document 1: AdminNetworkPolicy a: spec.subject.pod: unknown field"},
      {"BaselineAdminNetworkPolicy has no priority",
       "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
       "metadata: {name: default}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n",
       "test.yaml: document 1: BaselineAdminNetworkPolicy default: spec.priority: unknown field"},
      {"Ruleset peer",
       "apiVersion: microseg.io/v1alpha1\nkind: Ruleset\nmetadata: {name: r}\nspec:\n  tier: "
       "application\n  scope: {selector: {}}\n  ingress:\n  - action: Allow\n    peers: "
       "[{selectr: {}}]\n",
       "test.yaml: document 1: Ruleset r: spec.ingress[0].peers[0]: must set exactly one of "
       "selector (optionally with namespaceSelector), service, ipList or any"},
      {"Ruleset rule",
       "apiVersion: microseg.io/v1alpha1\nkind: Ruleset\nmetadata: {name: r}\nspec:\n  tier: "
       "application\n  scope: {selector: {}}\n  ingress:\n  - action: Allow\n    peer: [{any: "
       "true}]\n    peers: [{any: true}]\n",
       "test.yaml: document 1: Ruleset r: spec.ingress[0].peer: unknown field"},
      {"Workload",
       "apiVersion: microseg.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec: {ips: "
       "[10.0.0.1], host: n1, label: x}\n",
       "test.yaml: document 1: Workload w: spec.label: unknown field"},
      {"native kinds have no status",
       "apiVersion: microseg.io/v1alpha1\nkind: IPList\nmetadata: {name: l}\nspec: {cidrs: "
       "[10.0.0.0/8]}\nstatus: {}\n",
       "test.yaml: document 1: IPList l: status: unknown field"},
      {"EnforcementMode scope",
       "apiVersion: microseg.io/v1alpha1\nkind: EnforcementMode\nmetadata: {name: m}\nspec: "
       "{mode: enforced, scope: {selector: {}, kind: [Pod]}}\n",
       "test.yaml: document 1: EnforcementMode m: spec.scope.kind: unknown field"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    EXPECT_EQ(ParseError(c.manifest), c.error) << c.manifest;
  }
}

// What an API server returns (`kubectl get -o json`): bookkeeping in
// metadata, status, and Pod fields policy never reads.
TEST(StrictDecoding, ApiServerOutputIsAccepted) {
  const char* json = R"({
  "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
  "items": [
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "resourceVersion": "42",
       "generation": 1, "creationTimestamp": "2024-01-01T00:00:00Z", "generateName": "web-",
       "labels": {"app": "web"}, "annotations": {"a": "b"}, "finalizers": ["x"],
       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
         "uid": "u0", "controller": true}],
       "managedFields": [{"manager": "kubectl", "operation": "Apply",
         "fieldsV1": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}}}}}}]},
     "spec": {"nodeName": "n1", "restartPolicy": "Always", "someFutureField": {"x": 1},
       "containers": [{"name": "web", "image": "nginx", "resources": {},
         "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}]}]},
     "status": {"phase": "Running", "podIP": "10.0.0.5", "conditions": [{"type": "Ready"}],
       "containerStatuses": [{"name": "web", "ready": true}]}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
     "metadata": {"name": "web", "namespace": "shop", "uid": "u2", "generation": 3,
       "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
     "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
       "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
         "ports": [{"port": 80, "endPort": 90, "protocol": "TCP"}]}]},
     "status": {}},
    {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
     "metadata": {"name": "a", "resourceVersion": "7"},
     "spec": {"priority": 1, "subject": {"namespaces": {}},
       "egress": [{"name": "r", "action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}],
         "ports": [{"portRange": {"protocol": "TCP", "start": 1, "end": 9}}]}]},
     "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
    {"apiVersion": "v1", "kind": "Service",
     "metadata": {"name": "web", "namespace": "shop"},
     "spec": {"selector": {"app": "web"}, "type": "ClusterIP", "sessionAffinity": "None",
       "ports": [{"port": 80, "targetPort": 8080, "name": "http"}]},
     "status": {"loadBalancer": {}}}
  ]})";
  LoadedManifests loaded = MustParse(json, "cluster.json");
  EXPECT_EQ(loaded.objects.pods.size(), 1u);
  EXPECT_EQ(loaded.objects.network_policies.size(), 1u);
  EXPECT_EQ(loaded.objects.admin_network_policies.size(), 1u);
  EXPECT_EQ(loaded.objects.services.size(), 1u);
}

TEST(StrictDecoding, RepeatedKeysNameFileAndDocument) {
  EXPECT_EQ(ParseError(kNp + "spec:\n  ingress: []\n  ingress:\n  - {}\n"),
            "test.yaml: document 1: invalid YAML: line 6, column 3: duplicate field \"ingress\"");
  EXPECT_EQ(ParseError(R"({"apiVersion": "v1", "kind": "Namespace", "kind": "Namespace"})",
                       "ns.json"),
            "ns.json: document 1: kind: duplicate field");
  EXPECT_EQ(ParseError("{\"kind\": \"Namespace\", \"kind\": \"Pod\"}"),
            "test.yaml: document 1: kind: duplicate field");
}

TEST(StrictDecoding, DeepNestingIsAnErrorInEveryReader) {
  std::string deep_json = std::string(66000, '[') + std::string(66000, ']');
  std::string deep_map;
  for (int i = 0; i < 66000; ++i) deep_map += "{\"a\":";
  deep_map += "1" + std::string(66000, '}');
  const std::string json_error = "document 1: invalid JSON: nested deeper than 100 levels";
  EXPECT_EQ(ParseError(deep_json, "deep.json"), "deep.json: " + json_error);
  EXPECT_EQ(ParseError(deep_map, "deep.json"), "deep.json: " + json_error);
  EXPECT_EQ(ParseError(deep_map, "deep.yaml"), "deep.yaml: " + json_error);
  EXPECT_EQ(ParseError(kNp + "spec: " + deep_json.substr(1) + "\n", "deep.yaml"),
            "deep.yaml: document 1: invalid YAML: line 4, column 106: nested deeper than 100 "
            "levels");
}

}  // namespace
}  // namespace microseg

namespace microseg {
namespace {

// Objects the controller stored before decoding was strict may carry fields
// the schema does not know; re-reading them must not fail (the store would
// become unreadable after an upgrade), while a user's apply of the same text
// is refused.
TEST(StrictDecoding, StoredObjectsAreReadLeniently) {
  const std::string stored =
      R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",)"
      R"("metadata":{"name":"web","namespace":"shop"},)"
      R"("spec":{"podSelector":{},"ingres":[{}],"policyTypes":["Ingress"]}})";
  Result<LoadedManifests> strict = ParseManifests(stored, "apply");
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("spec.ingres: unknown field"), std::string::npos);

  Result<LoadedManifests> lenient = ParseStoredManifests(stored, "store@7");
  ASSERT_TRUE(lenient.ok()) << lenient.status().message();
  ASSERT_EQ(lenient->objects.network_policies.size(), 1u);
}

}  // namespace
}  // namespace microseg
