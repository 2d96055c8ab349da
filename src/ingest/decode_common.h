// Decoders for the pieces every kind shares: object metadata, labels,
// label selectors, protocols, ports and addresses.
//
// Each validates what the Kubernetes API server validates for the same
// field and reports errors through Field ("PATH: message"). Absent fields
// leave the output untouched unless the function says otherwise.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip.h"
#include "ingest/field.h"
#include "model/labels.h"
#include "model/port_match.h"
#include "model/protocol.h"

namespace microseg {

// Which DNS rule an object's name follows (see the API's validation).
enum class NameRule : uint8_t {
  kDnsSubdomain,  // most objects: "a.b-c"
  kDnsLabel,      // Namespace
  kDns1035Label,  // Service: a label that starts with a letter
};

struct ObjectMeta {
  std::string name;
  std::string namespace_name;  // "default" when absent, for namespaced kinds
  std::string uid;             // "" when absent
  std::string created;         // creationTimestamp, "YYYY-MM-DDTHH:MM:SSZ"; "" when absent
  Labels labels;
};

// metadata.{name (required), namespace, uid, creationTimestamp, labels}.
Status DecodeMetadata(const Field& doc, bool namespaced, NameRule rule, ObjectMeta* meta);

// A map of label keys to string values, validated.
Status DecodeLabels(const Field& field, Labels* labels);

// metav1.LabelSelector: {matchLabels, matchExpressions}. Absent leaves
// *selector untouched; callers that care about absence check present().
Status DecodeSelector(const Field& field, LabelSelector* selector);
// Absent stays std::nullopt; present (even `{}`) becomes a selector.
Status DecodeOptionalSelector(const Field& field, std::optional<LabelSelector>* selector);
// Like DecodeSelector, but the field must be present.
Status DecodeRequiredSelector(const Field& field, LabelSelector* selector);

// A string that must be one of `allowed`; *index is its position there.
// Absent leaves *index untouched.
Status DecodeEnum(const Field& field, std::initializer_list<std::string_view> allowed,
                  size_t* index);

// TCP, UDP or SCTP; absent leaves *protocol untouched (callers default to TCP).
Status DecodeProtocol(const Field& field, Protocol* protocol);

// IANA_SVC_NAME (RFC 6335): at most 15 characters of [a-z0-9-], at least
// one letter, no leading, trailing or doubled '-'. Returns "" or why not.
std::string ValidatePortName(std::string_view name);
// A port name that must pass ValidatePortName.
Status DecodePortName(const Field& field, std::string* name);
// An integer in 1..65535.
Status DecodePortNumber(const Field& field, uint16_t* port);
// An IntOrString port: a number, or a port name. Absent leaves both untouched.
Status DecodePortOrName(const Field& field, uint16_t* number, std::string* name);

// NetworkPolicyPort {protocol (default TCP), port, endPort} as a PortMatch:
// no port -> All(protocol); a number -> Range(port, endPort or port);
// a name -> Named. Also the port form of native Rulesets.
Status DecodePolicyPort(const Field& field, PortMatch* port);

// An IP address string.
Status DecodeIp(const Field& field, IpAddress* ip);

struct CidrOptions {
  // Accept "10.0.0.1/24" as 10.0.0.0/24, as the API server does for ipBlock.
  bool mask_host_bits = false;
  // Accept a bare address as a /32 or /128.
  bool allow_bare_ip = false;
};
Status DecodeCidr(const Field& field, CidrOptions options, Cidr* cidr);

}  // namespace microseg
