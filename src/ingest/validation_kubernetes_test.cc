// Verbatim error messages: documents, metadata, v1 kinds and NetworkPolicy.
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace microseg {
namespace {

struct ErrorCase {
  const char* description;
  std::string manifest;
  std::string error;
};

void ExpectErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.description);
    EXPECT_EQ(ParseError(c.manifest), c.error) << c.manifest;
  }
}

const std::string kPod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n";
const std::string kPodError = "test.yaml: document 1: Pod shop/p: ";
const std::string kNp =
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: "
    "shop}\n";
const std::string kNpError = "test.yaml: document 1: NetworkPolicy shop/web: ";

// A NetworkPolicy with one ingress rule whose first port is `port`.
std::string NpPort(const std::string& port) {
  return kNp + "spec:\n  ingress:\n  - ports: [" + port + "]\n";
}
// A NetworkPolicy with one ingress rule whose first peer is `peer`.
std::string NpPeer(const std::string& peer) {
  return kNp + "spec:\n  ingress:\n  - from: [" + peer + "]\n";
}
// A NetworkPolicy whose podSelector is `selector`.
std::string NpSelector(const std::string& selector) {
  return kNp + "spec:\n  podSelector: " + selector + "\n";
}

TEST(Validation, Documents) {
  ExpectErrors({
      {"a document must be a map", "- a\n- b\n",
       "test.yaml: document 1: expected a map, got a list"},
      {"kind is required", "apiVersion: v1\nmetadata: {name: x}\n",
       "test.yaml: document 1: kind: required field is missing"},
      {"kind must be a string", "kind: 5\n",
       "test.yaml: document 1: kind: expected a string, got an integer"},
      {"documents are numbered from 1, empty ones included",
       kPod + "---\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: 7}\n",
       "test.yaml: document 3: Pod default/q: metadata.namespace: expected a string, got an "
       "integer"},
      {"known kind with another apiVersion",
       "apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: web, "
       "namespace: shop}\n",
       kNpError + "apiVersion: expected networking.k8s.io/v1, got \"networking.k8s.io/v1beta1\""},
      {"known kind without apiVersion", "kind: Pod\nmetadata: {name: p}\n",
       "test.yaml: document 1: Pod default/p: apiVersion: required field is missing"},
      {"object without a name", "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop}\n",
       "test.yaml: document 1: Pod shop/<unnamed>: metadata.name: required field is missing"},
      {"object without metadata", "apiVersion: v1\nkind: Namespace\n",
       "test.yaml: document 1: Namespace <unnamed>: metadata: required field is missing"},
      {"malformed YAML names its document and line", kPod + "---\nspec: [1\n",
       "test.yaml: document 2: invalid YAML: line 6, column 1: end of sequence flow not found"},
      {"malformed YAML: bad indentation", "a: b: c\n",
       "test.yaml: document 1: invalid YAML: line 1, column 5: illegal map value"},
      {"a List item that is not a map", "apiVersion: v1\nkind: List\nitems: [a]\n",
       "test.yaml: document 1: items[0]: expected a map, got a string"},
      {"List items must be a list", "apiVersion: v1\nkind: List\nitems: {}\n",
       "test.yaml: document 1: items: expected a list, got a map"},
      {"an error in a List item names the object, not its index",
       "apiVersion: v1\nkind: PodList\nitems:\n- " +
           std::string("{apiVersion: v1, kind: Pod, metadata: {name: a}}\n") +
           "- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: 1}}\n",
       "test.yaml: document 1: Pod default/b: spec.nodeName: expected a string, got an integer"},
      {"a List inside a List",
       "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: []}]\n",
       "test.yaml: document 1: items[0]: a List inside a List is not supported"},
      {"text that starts like JSON gets the JSON error", "{\"kind\": \"Pod\"",
       "test.yaml: document 1: invalid JSON: line 1, column 15: syntax error while parsing "
       "object - unexpected end of input; expected '}'"},
      {"JSON with a trailing comma is still YAML", "{\"kind\": \"Pod\",}",
       "test.yaml: document 1: Pod default/<unnamed>: apiVersion: required field is missing"},
  });
  EXPECT_EQ(ParseError("{\"kind\": \"Pod\",}", "x.json"),
            "x.json: document 1: invalid JSON: line 1, column 16: syntax error while parsing "
            "object key - unexpected '}'; expected string literal");
}

TEST(Validation, Metadata) {
  ExpectErrors({
      {"name must be a DNS subdomain", "apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\n",
       "test.yaml: document 1: Pod default/Web_1: metadata.name: invalid name \"Web_1\": must be "
       "a lowercase RFC 1123 subdomain (lowercase alphanumerics, '-' and '.', starting and ending "
       "with an alphanumeric)"},
      {"namespace name must be a DNS label",
       "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n",
       "test.yaml: document 1: Namespace a.b: metadata.name: invalid name \"a.b\": must be a "
       "lowercase RFC 1123 label (lowercase alphanumerics and '-', starting and ending with an "
       "alphanumeric)"},
      {"service name must be a DNS-1035 label",
       "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\n",
       "test.yaml: document 1: Service default/1web: metadata.name: invalid name \"1web\": must be "
       "a lowercase RFC 1035 label (lowercase alphanumerics and '-', starting with a letter and "
       "ending with an alphanumeric)"},
      {"metadata.namespace must be a DNS label",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: Shop}\n",
       "test.yaml: document 1: Pod Shop/p: metadata.namespace: invalid name \"Shop\": must be a "
       "lowercase RFC 1123 label (lowercase alphanumerics and '-', starting and ending with an "
       "alphanumeric)"},
      {"creationTimestamp must be the API server's UTC form (compared as text)",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, creationTimestamp: "
       "'2026-01-02T15:04:05+02:00'}\n",
       kPodError + "metadata.creationTimestamp: must be a UTC time like 2026-01-02T15:04:05Z"},
      {"labels must be a map", kPod.substr(0, kPod.size() - 2) + ", labels: [a]}\n",
       kPodError + "metadata.labels: expected a map, got a list"},
      {"label key syntax",
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  labels: {-bad: x}\n",
       kPodError + "metadata.labels: invalid label key \"-bad\": name part must start and end "
                   "with an alphanumeric character"},
      {"label value must be a string, not an integer",
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  labels: {version: "
       "1}\n",
       kPodError + "metadata.labels.version: expected a string, got an integer"},
      {"label value syntax; keys with dots or slashes are quoted in paths",
       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  labels: "
       "{app.kubernetes.io/name: a b}\n",
       kPodError + "metadata.labels[\"app.kubernetes.io/name\"]: invalid label value \"a b\": "
                   "value may contain only alphanumerics, '-', '_' and '.'"},
  });
}

TEST(Validation, PodNodeService) {
  ExpectErrors({
      {"containers must be a list", kPod + "spec: {containers: web}\n",
       kPodError + "spec.containers: expected a list, got a string"},
      {"containerPort is required", kPod + "spec: {containers: [{ports: [{name: http}]}]}\n",
       kPodError + "spec.containers[0].ports[0].containerPort: required field is missing"},
      {"containerPort range", kPod + "spec: {containers: [{ports: [{containerPort: 0}]}]}\n",
       kPodError + "spec.containers[0].ports[0].containerPort: must be between 1 and 65535, got 0"},
      {"container port name syntax",
       kPod + "spec: {initContainers: [{ports: [{containerPort: 80, name: HTTP}]}]}\n",
       kPodError + "spec.initContainers[0].ports[0].name: invalid port name \"HTTP\": must "
                   "contain only lowercase letters, digits and '-'"},
      {"protocol is case-sensitive",
       kPod + "spec: {containers: [{ports: [{containerPort: 80, protocol: tcp}]}]}\n",
       kPodError + "spec.containers[0].ports[0].protocol: unsupported value \"tcp\" (expected "
                   "TCP, UDP or SCTP)"},
      {"hostNetwork must be a boolean", kPod + "spec: {hostNetwork: \"true\"}\n",
       kPodError + "spec.hostNetwork: expected a boolean, got a string"},
      {"podIP syntax", kPod + "status: {podIP: 10.0.0.256}\n",
       kPodError + "status.podIP: invalid IP address \"10.0.0.256\""},
      {"podIPs entries need ip", kPod + "status: {podIPs: [{ip: 10.0.0.1}, {}]}\n",
       kPodError + "status.podIPs[1].ip: required field is missing"},
      {"node address must be an IP",
       "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: "
       "InternalIP, address: n1.local}]}\n",
       "test.yaml: document 1: Node n1: status.addresses[0].address: invalid IP address "
       "\"n1.local\""},
      {"service port range",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 70000}]}\n",
       "test.yaml: document 1: Service default/s: spec.ports[0].port: must be between 1 and "
       "65535, got 70000"},
      {"service port is required",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{name: web}]}\n",
       "test.yaml: document 1: Service default/s: spec.ports[0].port: required field is missing"},
      {"quoted targetPort number is a name, and an invalid one",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, "
       "targetPort: \"8080\"}]}\n",
       "test.yaml: document 1: Service default/s: spec.ports[0].targetPort: invalid port name "
       "\"8080\": must contain at least one letter (a-z) (write a port number without quotes)"},
      {"service selector values are label values",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: true}}\n",
       "test.yaml: document 1: Service default/s: spec.selector.app: expected a string, got a "
       "boolean"},
      {"clusterIP syntax",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIPs: [None, 10.96.0]}\n",
       "test.yaml: document 1: Service default/s: spec.clusterIPs[1]: invalid IP address "
       "\"10.96.0\""},
  });
}

TEST(Validation, NetworkPolicyPorts) {
  const std::string at = kNpError + "spec.ingress[0].ports[0].";
  ExpectErrors({
      {"port name with invalid characters", NpPort("{port: eighty!}"),
       at + "port: invalid port name \"eighty!\": must contain only lowercase letters, digits "
            "and '-'"},
      {"quoted number is a port name", NpPort("{port: \"80\"}"),
       at + "port: invalid port name \"80\": must contain at least one letter (a-z) (write a "
            "port number without quotes)"},
      {"port name too long", NpPort("{port: abcdefghijklmnop}"),
       at + "port: invalid port name \"abcdefghijklmnop\": must be no more than 15 characters"},
      {"port name with consecutive dashes", NpPort("{port: a--b}"),
       at + "port: invalid port name \"a--b\": must not contain consecutive '-'"},
      {"port name with leading dash", NpPort("{port: -ab}"),
       at + "port: invalid port name \"-ab\": must not begin or end with '-'"},
      {"port of the wrong type", NpPort("{port: true}"),
       at + "port: expected an integer or a port name, got a boolean"},
      {"port float", NpPort("{port: 80.5}"),
       at + "port: expected an integer or a port name, got a number"},
      {"port zero", NpPort("{port: 0}"), at + "port: must be between 1 and 65535, got 0"},
      {"port too large", NpPort("{port: 65536}"),
       at + "port: must be between 1 and 65535, got 65536"},
      {"endPort without port", NpPort("{endPort: 90}"),
       at + "endPort: may not be set when port is not set"},
      {"endPort with a named port", NpPort("{port: http, endPort: 90}"),
       at + "endPort: may not be set when port is a name"},
      {"endPort below port", NpPort("{port: 8080, endPort: 8000}"),
       at + "endPort: must be greater than or equal to port (8080), got 8000"},
      {"endPort range", NpPort("{port: 80, endPort: 70000}"),
       at + "endPort: must be between 1 and 65535, got 70000"},
      {"protocol value", NpPort("{protocol: ICMP}"),
       at + "protocol: unsupported value \"ICMP\" (expected TCP, UDP or SCTP)"},
      {"second port entry is reported by index",
       kNp + "spec:\n  ingress:\n  - ports: [{port: 80}, {port: \"eighty\", endPort: 81}]\n",
       kNpError + "spec.ingress[0].ports[1].endPort: may not be set when port is a name"},
  });
}

TEST(Validation, NetworkPolicyPeersAndTypes) {
  const std::string at = kNpError + "spec.ingress[0].from[0]";
  ExpectErrors({
      {"empty peer", NpPeer("{}"),
       at + ": must set at least one of podSelector, namespaceSelector or ipBlock"},
      {"ipBlock with a selector", NpPeer("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}"),
       at + ": ipBlock may not be combined with podSelector or namespaceSelector"},
      {"ipBlock needs cidr", NpPeer("{ipBlock: {except: [10.0.0.0/16]}}"),
       at + ".ipBlock.cidr: required field is missing"},
      {"cidr prefix length", NpPeer("{ipBlock: {cidr: 10.0.0.0/33}}"),
       at + ".ipBlock.cidr: invalid CIDR \"10.0.0.0/33\": invalid prefix length in CIDR"},
      {"cidr without prefix", NpPeer("{ipBlock: {cidr: 10.0.0.1}}"),
       at + ".ipBlock.cidr: invalid CIDR \"10.0.0.1\": expected a CIDR like 10.0.0.0/8"},
      {"except outside cidr", NpPeer("{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}"),
       at + ".ipBlock.except[0]: 11.0.0.0/16 must be a strict subset of cidr 10.0.0.0/8"},
      {"except equal to cidr", NpPeer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}"),
       at + ".ipBlock.except[0]: 10.0.0.0/8 must be a strict subset of cidr 10.0.0.0/8"},
      {"except of another family", NpPeer("{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/64']}}"),
       at + ".ipBlock.except[0]: must be of the same IP family as cidr 10.0.0.0/8"},
      {"egress peers are under to",
       kNp + "spec: {egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}, namespaceSelector: {}}]}]}\n",
       kNpError + "spec.egress[0].to[0]: ipBlock may not be combined with podSelector or "
                  "namespaceSelector"},
      {"policyTypes values", kNp + "spec: {policyTypes: [ingress]}\n",
       kNpError +
           "spec.policyTypes[0]: unsupported value \"ingress\" (expected Ingress or Egress)"},
      {"policyTypes duplicates", kNp + "spec: {policyTypes: [Ingress, Egress, Ingress]}\n",
       kNpError + "spec.policyTypes[2]: duplicate value \"Ingress\""},
      {"ingress must be a list", kNp + "spec: {ingress: all}\n",
       kNpError + "spec.ingress: expected a list, got a string"},
      {"from must be a list", kNp + "spec: {ingress: [{from: {podSelector: {}}}]}\n",
       kNpError + "spec.ingress[0].from: expected a list, got a map"},
      {"spec must be a map", kNp + "spec: []\n", kNpError + "spec: expected a map, got a list"},
  });
}

TEST(Validation, LabelSelectors) {
  const std::string at = kNpError + "spec.podSelector.";
  ExpectErrors({
      {"selector must be a map", NpSelector("app=web"),
       kNpError + "spec.podSelector: expected a map, got a string"},
      {"operator values", NpSelector("{matchExpressions: [{key: a, operator: in, values: [x]}]}"),
       at + "matchExpressions[0].operator: unsupported value \"in\" (expected In, NotIn, Exists "
            "or DoesNotExist)"},
      {"operator is required", NpSelector("{matchExpressions: [{key: a}]}"),
       at + "matchExpressions[0].operator: required field is missing"},
      {"In needs values", NpSelector("{matchExpressions: [{key: a, operator: In}]}"),
       at + "matchExpressions[0].values: must be non-empty when operator is In"},
      {"NotIn needs values",
       NpSelector("{matchExpressions: [{key: a, operator: NotIn, values: []}]}"),
       at + "matchExpressions[0].values: must be non-empty when operator is NotIn"},
      {"Exists takes no values",
       NpSelector("{matchExpressions: [{key: a, operator: Exists, values: [x]}]}"),
       at + "matchExpressions[0].values: must be empty when operator is Exists"},
      {"DoesNotExist takes no values",
       NpSelector("{matchExpressions: [{key: a, operator: DoesNotExist, values: [x]}]}"),
       at + "matchExpressions[0].values: must be empty when operator is DoesNotExist"},
      {"key is required", NpSelector("{matchExpressions: [{operator: Exists}]}"),
       at + "matchExpressions[0].key: required field is missing"},
      {"key syntax", NpSelector("{matchExpressions: [{key: 'a b', operator: Exists}]}"),
       at + "matchExpressions[0].key: invalid label key \"a b\": name part may contain only "
            "alphanumerics, '-', '_' and '.'"},
      {"values syntax",
       NpSelector("{matchExpressions: [{key: a, operator: In, values: [ok, -x]}]}"),
       at + "matchExpressions[0].values[1]: invalid label value \"-x\": value must start and end "
            "with an alphanumeric character"},
      {"matchLabels value syntax", NpSelector("{matchLabels: {app: -x}}"),
       at + "matchLabels.app: invalid label value \"-x\": value must start and end with an "
            "alphanumeric character"},
      {"matchLabels key prefix syntax", NpSelector("{matchLabels: {Example.com/app: x}}"),
       at + "matchLabels: invalid label key \"Example.com/app\": prefix must be a lowercase RFC "
            "1123 subdomain (lowercase alphanumerics, '-' and '.', starting and ending with an "
            "alphanumeric)"},
  });
}

}  // namespace
}  // namespace microseg
