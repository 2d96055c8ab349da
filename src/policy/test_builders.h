// Terse builders for engine tests: objects as the API server would store them.
#pragma once

#include <string>
#include <vector>

#include "model/object_set.h"

namespace microseg::testing {

inline Labels L(std::initializer_list<Labels::Entry> entries) { return Labels(entries); }

inline LabelSelector Sel(std::initializer_list<Labels::Entry> match_labels) {
  LabelSelector s;
  for (const auto& [k, v] : match_labels) s.AddMatchLabel(k, v);
  return s;
}

inline Namespace Ns(std::string name, Labels labels = {}) {
  Namespace n{std::move(name), std::move(labels)};
  n.labels.Set(kNamespaceNameLabel, n.name);
  return n;
}

inline Pod MakePod(std::string ns, std::string name, Labels labels, std::string ip,
                   std::vector<ContainerPort> ports = {}) {
  Pod p;
  p.namespace_name = std::move(ns);
  p.name = std::move(name);
  p.uid = p.namespace_name + "/" + p.name + "-uid";
  p.labels = std::move(labels);
  if (!ip.empty()) p.ips.push_back(*IpAddress::Parse(ip));
  p.node_name = "node-1";
  p.phase = "Running";
  p.ports = std::move(ports);
  return p;
}

inline NetworkPolicyPeer PodPeer(LabelSelector pods) {
  NetworkPolicyPeer p;
  p.pod_selector = std::move(pods);
  return p;
}

inline NetworkPolicyPeer NsPeer(LabelSelector namespaces) {
  NetworkPolicyPeer p;
  p.namespace_selector = std::move(namespaces);
  return p;
}

inline NetworkPolicyPeer BlockPeer(std::string cidr, std::vector<std::string> except = {}) {
  NetworkPolicyPeer p;
  IpBlock b;
  b.cidr = *Cidr::Parse(cidr);
  for (const auto& e : except) b.except.push_back(*Cidr::Parse(e));
  p.ip_block = std::move(b);
  return p;
}

// A NetworkPolicy selecting `selector` in `ns`, with the given rules.
inline NetworkPolicy Np(std::string ns, std::string name, LabelSelector selector,
                        std::vector<NetworkPolicyRule> ingress,
                        std::optional<std::vector<NetworkPolicyRule>> egress = std::nullopt) {
  NetworkPolicy np;
  np.namespace_name = std::move(ns);
  np.name = std::move(name);
  np.pod_selector = std::move(selector);
  np.ingress = std::move(ingress);
  np.affects_ingress = true;
  if (egress) {
    np.egress = std::move(*egress);
    np.affects_egress = true;
  }
  return np;
}

inline AdminPeer AdminNamespaces(LabelSelector s) {
  AdminPeer p;
  p.kind = AdminPeer::Kind::kNamespaces;
  p.namespace_selector = std::move(s);
  return p;
}

inline AdminPeer AdminPods(LabelSelector ns, LabelSelector pods) {
  AdminPeer p;
  p.kind = AdminPeer::Kind::kPods;
  p.namespace_selector = std::move(ns);
  p.pod_selector = std::move(pods);
  return p;
}

inline AdminRule ARule(std::string name, AdminAction action, std::vector<AdminPeer> peers,
                       std::optional<std::vector<PortMatch>> ports = std::nullopt) {
  return AdminRule{std::move(name), action, std::move(peers), std::move(ports)};
}

inline AdminNetworkPolicy Anp(std::string name, int priority, LabelSelector subject_namespaces,
                              std::vector<AdminRule> ingress, std::vector<AdminRule> egress = {}) {
  AdminNetworkPolicy p;
  p.name = std::move(name);
  p.priority = priority;
  p.subject.namespace_selector = std::move(subject_namespaces);
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}

}  // namespace microseg::testing
