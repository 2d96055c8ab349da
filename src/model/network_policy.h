// NetworkPolicy (networking.k8s.io/v1), after API-server defaulting.
//
// Absent vs empty matters in Kubernetes and is kept here:
//  - `ports` empty means all ports; `peers` empty means all peers;
//  - a peer's selectors are std::optional: absent podSelector with a
//    namespaceSelector means "all pods in those namespaces"; absent
//    namespaceSelector means "the policy's own namespace".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/labels.h"
#include "model/port_match.h"

namespace microseg {

struct IpBlock {
  Cidr cidr;
  std::vector<Cidr> except;  // each strictly inside cidr (validated)

  bool Contains(const IpAddress& ip) const;
};

struct NetworkPolicyPeer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  std::optional<IpBlock> ip_block;  // exclusive with the selectors
};

struct NetworkPolicyRule {
  std::vector<PortMatch> ports;          // empty: all ports and protocols
  std::vector<NetworkPolicyPeer> peers;  // empty: every source/destination
};

struct NetworkPolicy {
  std::string namespace_name;
  std::string name;
  LabelSelector pod_selector;  // empty: every pod of the namespace
  // policyTypes after defaulting: Ingress always unless listed otherwise;
  // Egress when listed, or when policyTypes is absent and egress is non-empty.
  bool affects_ingress = true;
  bool affects_egress = false;
  std::vector<NetworkPolicyRule> ingress;
  std::vector<NetworkPolicyRule> egress;

  std::string Key() const { return namespace_name + "/" + name; }
};

}  // namespace microseg
