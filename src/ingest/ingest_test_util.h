// Helpers shared by the ingest tests (header-only; not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "ingest/manifest_loader.h"

namespace microseg {

// Parses `text` and fails the test on error.
inline LoadedManifests MustParse(std::string_view text, const std::string& source = "test.yaml") {
  Result<LoadedManifests> result = ParseManifests(text, source);
  if (!result.ok()) {
    ADD_FAILURE() << "unexpected error: " << result.status().message();
    return {};
  }
  return std::move(*result);
}

// The error message for `text`, or "<ok>" when it parses.
inline std::string ParseError(std::string_view text, const std::string& source = "test.yaml") {
  Result<LoadedManifests> result = ParseManifests(text, source);
  return result.ok() ? "<ok>" : result.status().message();
}

// The root of the source tree, for test/testdata.
inline std::string SourceDir() {
  if (const char* dir = std::getenv("MICROSEG_SOURCE_DIR")) return dir;
  return MICROSEG_SOURCE_DIR;  // set by src/ingest/CMakeLists.txt
}

inline std::string TestData(const std::string& name) {
  return SourceDir() + "/test/testdata/ingest/" + name;
}

// Every decoded field as text, one object per line, so that tests can
// compare whole ObjectSets (the model types have no operator==).
inline std::string Describe(const ObjectSet& objects) {
  std::ostringstream out;
  auto selector = [](const std::optional<LabelSelector>& s) {
    return s ? "{" + s->ToString() + "}" : std::string("-");
  };
  auto ips = [](const std::vector<IpAddress>& list) {
    std::string text;
    for (const IpAddress& ip : list) text += ip.ToString() + " ";
    return text;
  };
  auto ports = [](const std::vector<PortMatch>& list) {
    std::string text;
    for (const PortMatch& p : list) text += p.ToString() + " ";
    return text;
  };
  auto container_ports = [](const std::vector<ContainerPort>& list) {
    std::string text;
    for (const ContainerPort& p : list) {
      text +=
          p.name + "=" + std::string(ProtocolName(p.protocol)) + "/" + std::to_string(p.port) + " ";
    }
    return text;
  };
  auto scope = [&](const Scope& s) {
    std::string text =
        "{" + s.selector.ToString() + "} ns=" + selector(s.namespace_selector) + " kinds=";
    for (EndpointKind k : s.kinds) text += std::string(EndpointKindName(k)) + " ";
    return text;
  };
  for (const Namespace& ns : objects.namespaces) {
    out << "Namespace " << ns.name << " " << ns.labels.ToString() << "\n";
  }
  for (const Pod& p : objects.pods) {
    out << "Pod " << p.Key() << " uid=" << p.uid << " " << p.labels.ToString()
        << " ips=" << ips(p.ips) << "node=" << p.node_name << " host=" << p.host_network
        << " phase=" << p.phase << " ports=" << container_ports(p.ports) << "\n";
  }
  for (const Node& n : objects.nodes) {
    out << "Node " << n.name << " " << n.labels.ToString() << " ips=" << ips(n.ips) << "\n";
  }
  for (const Service& s : objects.services) {
    out << "Service " << s.Key() << " sel=" << selector(s.selector)
        << " ips=" << ips(s.cluster_ips);
    for (const ServicePort& p : s.ports) {
      out << p.name << ":" << ProtocolName(p.protocol) << "/" << p.port << "->" << p.target_port
          << p.target_port_name << " ";
    }
    out << "\n";
  }
  for (const NetworkPolicy& np : objects.network_policies) {
    out << "NetworkPolicy " << np.Key() << " {" << np.pod_selector.ToString()
        << "} in=" << np.affects_ingress << " eg=" << np.affects_egress << "\n";
    for (const auto* rules : {&np.ingress, &np.egress}) {
      for (const NetworkPolicyRule& r : *rules) {
        out << "  rule ports=" << ports(r.ports) << "\n";
        for (const NetworkPolicyPeer& peer : r.peers) {
          out << "    peer pods=" << selector(peer.pod_selector)
              << " ns=" << selector(peer.namespace_selector);
          if (peer.ip_block) {
            out << " block=" << peer.ip_block->cidr.ToString();
            for (const Cidr& c : peer.ip_block->except) out << " -" << c.ToString();
          }
          out << "\n";
        }
      }
    }
  }
  std::vector<const AdminNetworkPolicy*> admin;
  for (const AdminNetworkPolicy& anp : objects.admin_network_policies) admin.push_back(&anp);
  if (objects.baseline_admin_network_policy)
    admin.push_back(&*objects.baseline_admin_network_policy);
  for (const AdminNetworkPolicy* anp : admin) {
    out << anp->KindName() << " " << anp->name << " prio=" << anp->priority << " subject={"
        << anp->subject.namespace_selector.ToString()
        << "} pods=" << selector(anp->subject.pod_selector) << "\n";
    for (const auto* rules : {&anp->ingress, &anp->egress}) {
      for (const AdminRule& r : *rules) {
        out << "  rule " << r.name << " " << AdminActionName(r.action)
            << " ports=" << (r.ports ? ports(*r.ports) : "-") << "\n";
        for (const AdminPeer& peer : r.peers) {
          out << "    peer " << static_cast<int>(peer.kind) << " {"
              << peer.namespace_selector.ToString() << "} {" << peer.pod_selector.ToString()
              << "} {" << peer.node_selector.ToString() << "}";
          for (const Cidr& c : peer.networks) out << " " << c.ToString();
          out << "\n";
        }
      }
    }
  }
  for (const Workload& w : objects.workloads) {
    out << "Workload " << w.name << " " << w.labels.ToString() << " ips=" << ips(w.ips)
        << "host=" << w.host << " unmanaged=" << w.unmanaged
        << " ports=" << container_ports(w.ports) << "\n";
  }
  for (const IpList& l : objects.ip_lists) {
    out << "IPList " << l.name;
    for (const Cidr& c : l.cidrs) out << " " << c.ToString();
    for (const Cidr& c : l.except) out << " -" << c.ToString();
    out << "\n";
  }
  for (const Ruleset& r : objects.rulesets) {
    out << "Ruleset " << r.name << " " << RulesetTierName(r.tier) << " prio=" << r.priority
        << " scope=" << scope(r.scope) << "\n";
    for (const auto* rules : {&r.ingress, &r.egress}) {
      for (const RulesetRule& rule : *rules) {
        out << "  rule " << rule.name << " "
            << (rule.action == RuleAction::kAllow ? "Allow" : "Deny")
            << " ports=" << ports(rule.ports) << "\n";
        for (const RulesetPeer& peer : rule.peers) {
          out << "    peer " << static_cast<int>(peer.kind) << " " << selector(peer.selector) << " "
              << selector(peer.namespace_selector) << " " << peer.service_namespace << "/"
              << peer.service_name << " " << peer.ip_list << "\n";
        }
      }
    }
  }
  for (const EnforcementMode& m : objects.enforcement_modes) {
    out << "EnforcementMode " << m.name << " " << ModeName(m.mode) << " scope=" << scope(m.scope)
        << "\n";
  }
  return out.str();
}

}  // namespace microseg
