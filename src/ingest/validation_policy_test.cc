// Verbatim error messages: AdminNetworkPolicy, BaselineAdminNetworkPolicy
// and the native microseg.io kinds.
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

const std::string kAnp =
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
    "a}\n";
const std::string kAnpError = "test.yaml: document 1: AdminNetworkPolicy a: ";
const std::string kBanp =
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: "
    "{name: default}\n";
const std::string kBanpError = "test.yaml: document 1: BaselineAdminNetworkPolicy default: ";

// An ANP with a valid priority and subject, plus `rules` (YAML lines of spec).
std::string Anp(const std::string& rules) {
  return kAnp + "spec:\n  priority: 1\n  subject: {namespaces: {}}\n" + rules;
}
// An ANP whose single ingress rule is `rule`.
std::string AnpIngress(const std::string& rule) { return Anp("  ingress: [" + rule + "]\n"); }
// An ANP whose single egress rule is `rule`.
std::string AnpEgress(const std::string& rule) { return Anp("  egress: [" + rule + "]\n"); }
// An ANP ingress rule allowing from all namespaces on `ports`.
std::string AnpPorts(const std::string& ports) {
  return AnpIngress("{action: Allow, from: [{namespaces: {}}], ports: " + ports + "}");
}

TEST(Validation, AdminNetworkPolicy) {
  const std::string ingress = kAnpError + "spec.ingress[0]";
  const std::string egress = kAnpError + "spec.egress[0]";
  std::string long_name(101, 'x');
  std::string many_rules = "  ingress:\n";
  for (int i = 0; i < 101; ++i) many_rules += "  - {action: Deny, from: [{namespaces: {}}]}\n";
  std::string many_peers = "[{namespaces: {}}";
  for (int i = 0; i < 100; ++i) many_peers += ", {namespaces: {}}";
  many_peers += "]";
  ExpectErrors({
      {"spec is required", kAnp, kAnpError + "spec: required field is missing"},
      {"priority is required", kAnp + "spec: {subject: {namespaces: {}}}\n",
       kAnpError + "spec.priority: required field is missing"},
      {"priority range", kAnp + "spec: {priority: 1001, subject: {namespaces: {}}}\n",
       kAnpError + "spec.priority: must be between 0 and 1000, got 1001"},
      {"priority type", kAnp + "spec: {priority: \"1\", subject: {namespaces: {}}}\n",
       kAnpError + "spec.priority: expected an integer, got a string"},
      {"subject is required", kAnp + "spec: {priority: 1}\n",
       kAnpError + "spec.subject: required field is missing"},
      {"subject sets exactly one form",
       kAnp + "spec: {priority: 1, subject: {namespaces: {}, pods: {namespaceSelector: {}, "
              "podSelector: {}}}}\n",
       kAnpError + "spec.subject: must set exactly one of namespaces or pods"},
      {"subject pods need podSelector",
       kAnp + "spec: {priority: 1, subject: {pods: {namespaceSelector: {}}}}\n",
       kAnpError + "spec.subject.pods.podSelector: required field is missing"},
      {"action is required", AnpIngress("{from: [{namespaces: {}}]}"),
       ingress + ".action: required field is missing"},
      {"action values", AnpIngress("{action: Drop, from: [{namespaces: {}}]}"),
       ingress + ".action: unsupported value \"Drop\" (expected Allow, Deny or Pass)"},
      {"rule name length",
       AnpIngress("{name: " + long_name + ", action: Allow, from: [{namespaces: {}}]}"),
       ingress + ".name: must be no more than 100 characters"},
      {"from is required", AnpIngress("{action: Allow}"),
       ingress + ".from: required field is missing"},
      {"from must not be empty", AnpIngress("{action: Allow, from: []}"),
       ingress + ".from: must not be empty"},
      {"at most 100 peers", AnpIngress("{action: Allow, from: " + many_peers + "}"),
       ingress + ".from: must have at most 100 items, got 101"},
      {"at most 100 rules", Anp(many_rules),
       kAnpError + "spec.ingress: must have at most 100 rules, got 101"},
      {"ingress peer sets exactly one form", AnpIngress("{action: Allow, from: [{}]}"),
       ingress + ".from[0]: must set exactly one of namespaces or pods"},
      {"nodes only in egress", AnpIngress("{action: Allow, from: [{nodes: {}}]}"),
       ingress + ".from[0].nodes: is only allowed in egress rules"},
      {"networks only in egress", AnpIngress("{action: Allow, from: [{networks: [10.0.0.0/8]}]}"),
       ingress + ".from[0].networks: is only allowed in egress rules"},
      {"egress peer sets exactly one form",
       AnpEgress("{action: Allow, to: [{nodes: {}, networks: [10.0.0.0/8]}]}"),
       egress + ".to[0]: must set exactly one of namespaces, pods, nodes or networks"},
      {"egress peers are under to", AnpEgress("{action: Allow, from: [{namespaces: {}}]}"),
       egress + ".to: required field is missing"},
      {"networks entries are CIDRs", AnpEgress("{action: Allow, to: [{networks: [10.0.0.0/40]}]}"),
       egress + ".to[0].networks[0]: invalid CIDR \"10.0.0.0/40\": invalid prefix length in CIDR"},
      {"networks must not be empty", AnpEgress("{action: Allow, to: [{networks: []}]}"),
       egress + ".to[0].networks: must not be empty"},
      {"peer pods need namespaceSelector",
       AnpEgress("{action: Allow, to: [{pods: {podSelector: {}}}]}"),
       egress + ".to[0].pods.namespaceSelector: required field is missing"},
      {"ports must not be empty", AnpPorts("[]"), ingress + ".ports: must not be empty"},
      {"a port sets exactly one form", AnpPorts("[{portNumber: {port: 80}, namedPort: http}]"),
       ingress + ".ports[0]: must set exactly one of portNumber, namedPort or portRange"},
      {"portNumber needs port", AnpPorts("[{portNumber: {protocol: UDP}}]"),
       ingress + ".ports[0].portNumber.port: required field is missing"},
      {"portNumber range", AnpPorts("[{portNumber: {port: 0}}]"),
       ingress + ".ports[0].portNumber.port: must be between 1 and 65535, got 0"},
      {"portNumber protocol", AnpPorts("[{portNumber: {port: 80, protocol: ICMP}}]"),
       ingress + ".ports[0].portNumber.protocol: unsupported value \"ICMP\" (expected TCP, UDP or "
                 "SCTP)"},
      {"portRange order", AnpPorts("[{portRange: {start: 200, end: 100}}]"),
       ingress + ".ports[0].portRange.end: must be greater than or equal to start (200), got 100"},
      {"portRange needs end", AnpPorts("[{portRange: {start: 200}}]"),
       ingress + ".ports[0].portRange.end: required field is missing"},
      {"namedPort syntax", AnpPorts("[{namedPort: Web}]"),
       ingress + ".ports[0].namedPort: invalid port name \"Web\": must contain only lowercase "
                 "letters, digits and '-'"},
  });
}

TEST(Validation, BaselineAdminNetworkPolicy) {
  ExpectErrors({
      {"name must be default",
       "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
       "metadata: {name: other}\nspec: {subject: {namespaces: {}}}\n",
       "test.yaml: document 1: BaselineAdminNetworkPolicy other: metadata.name: must be "
       "\"default\": there is only one BaselineAdminNetworkPolicy"},
      {"no Pass action",
       kBanp + "spec:\n  subject: {namespaces: {}}\n  egress: [{action: Pass, to: [{namespaces: "
               "{}}]}]\n",
       kBanpError + "spec.egress[0].action: unsupported value \"Pass\" (expected Allow or Deny)"},
      {"subject is required", kBanp + "spec: {}\n",
       kBanpError + "spec.subject: required field is missing"},
  });
}

const std::string kNative = "apiVersion: microseg.io/v1alpha1\n";

TEST(Validation, WorkloadAndIpList) {
  const std::string workload = kNative + "kind: Workload\nmetadata: {name: vm}\n";
  const std::string workload_error = "test.yaml: document 1: Workload vm: ";
  const std::string ip_list = kNative + "kind: IPList\nmetadata: {name: l}\n";
  const std::string ip_list_error = "test.yaml: document 1: IPList l: ";
  ExpectErrors({
      {"workload spec is required", workload, workload_error + "spec: required field is missing"},
      {"ips are required", workload + "spec: {host: h}\n",
       workload_error + "spec.ips: required field is missing"},
      {"ips must not be empty", workload + "spec: {ips: [], host: h}\n",
       workload_error + "spec.ips: must not be empty"},
      {"ips syntax", workload + "spec: {ips: [10.0.0], host: h}\n",
       workload_error + "spec.ips[0]: invalid IP address \"10.0.0\""},
      {"host or unmanaged, not both",
       workload + "spec: {ips: [10.0.0.1], host: h, unmanaged: true}\n",
       workload_error + "spec: must set exactly one of host or unmanaged: true"},
      {"host or unmanaged, not neither", workload + "spec: {ips: [10.0.0.1], unmanaged: false}\n",
       workload_error + "spec: must set exactly one of host or unmanaged: true"},
      {"host name syntax", workload + "spec: {ips: [10.0.0.1], host: Host_1}\n",
       workload_error + "spec.host: invalid host name \"Host_1\": must be a lowercase RFC 1123 "
                        "subdomain (lowercase alphanumerics, '-' and '.', starting and ending "
                        "with an alphanumeric)"},
      {"workload port is required",
       workload + "spec: {ips: [10.0.0.1], host: h, ports: [{name: web}]}\n",
       workload_error + "spec.ports[0].port: required field is missing"},
      {"cidrs are required", ip_list + "spec: {}\n",
       ip_list_error + "spec.cidrs: required field is missing"},
      {"cidrs must not be empty", ip_list + "spec: {cidrs: []}\n",
       ip_list_error + "spec.cidrs: must not be empty"},
      {"IPList cidrs must have zero host bits", ip_list + "spec: {cidrs: [10.0.0.1/8]}\n",
       ip_list_error + "spec.cidrs[0]: invalid CIDR \"10.0.0.1/8\": host bits must be zero (did "
                       "you mean 10.0.0.0/8?)"},
      {"bare address syntax", ip_list + "spec: {cidrs: [10.0.0.300]}\n",
       ip_list_error + "spec.cidrs[0]: invalid IP address or CIDR \"10.0.0.300\""},
      {"except inside cidrs", ip_list + "spec: {cidrs: [10.0.0.0/8], except: [192.168.0.0/16]}\n",
       ip_list_error + "spec.except[0]: 192.168.0.0/16 is not inside any of cidrs"},
  });
}

TEST(Validation, RulesetAndEnforcementMode) {
  const std::string ruleset = kNative + "kind: Ruleset\nmetadata: {name: r}\n";
  const std::string error = "test.yaml: document 1: Ruleset r: ";
  // A Ruleset whose single ingress rule is `rule`.
  auto rule = [&](const std::string& r) {
    return ruleset + "spec:\n  scope: {selector: {}}\n  ingress: [" + r + "]\n";
  };
  const std::string mode = kNative + "kind: EnforcementMode\nmetadata: {name: m}\n";
  const std::string mode_error = "test.yaml: document 1: EnforcementMode m: ";
  const std::string peer_forms =
      ": must set exactly one of selector (optionally with namespaceSelector), service, ipList "
      "or any";
  ExpectErrors({
      {"tier values", ruleset + "spec: {tier: gold, scope: {selector: {}}}\n",
       error + "spec.tier: unsupported value \"gold\" (expected admin, application or baseline)"},
      {"priority range", ruleset + "spec: {priority: -1, scope: {selector: {}}}\n",
       error + "spec.priority: must be between 0 and 1000, got -1"},
      {"scope is required", ruleset + "spec: {}\n",
       error + "spec.scope: required field is missing"},
      {"scope selector is required", ruleset + "spec: {scope: {kinds: [Pod]}}\n",
       error + "spec.scope.selector: required field is missing"},
      {"scope kinds values", ruleset + "spec: {scope: {selector: {}, kinds: [Service]}}\n",
       error + "spec.scope.kinds[0]: unsupported value \"Service\" (expected Pod, Workload or "
               "Node)"},
      {"scope kinds duplicates", ruleset + "spec: {scope: {selector: {}, kinds: [Pod, Pod]}}\n",
       error + "spec.scope.kinds[1]: duplicate value \"Pod\""},
      {"peers are required", rule("{name: x}"),
       error + "spec.ingress[0].peers: required field is missing"},
      {"peers must not be empty", rule("{peers: []}"),
       error + "spec.ingress[0].peers: must not be empty"},
      {"a peer has one form", rule("{peers: [{service: a/b, ipList: l}]}"),
       error + "spec.ingress[0].peers[0]" + peer_forms},
      {"a peer has a form", rule("{peers: [{}]}"), error + "spec.ingress[0].peers[0]" + peer_forms},
      {"service reference syntax", rule("{peers: [{service: frontend}]}"),
       error + "spec.ingress[0].peers[0].service: invalid service reference \"frontend\": "
               "expected \"namespace/name\""},
      {"any must be true", rule("{peers: [{any: false}]}"),
       error + "spec.ingress[0].peers[0].any: must be true when set"},
      {"action values", rule("{action: Pass, peers: [{any: true}]}"),
       error + "spec.ingress[0].action: unsupported value \"Pass\" (expected Allow or Deny)"},
      {"ports as in NetworkPolicy", rule("{peers: [{any: true}], ports: [{port: 0}]}"),
       error + "spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0"},
      {"mode is required", mode + "spec: {scope: {selector: {}}}\n",
       mode_error + "spec.mode: required field is missing"},
      {"mode values", mode + "spec: {scope: {selector: {}}, mode: audit}\n",
       mode_error + "spec.mode: unsupported value \"audit\" (expected visibility or enforced)"},
  });
}

}  // namespace
}  // namespace microseg
