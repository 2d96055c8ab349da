#include "flow/recommend_yaml.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

namespace microseg {
namespace {

const char* OpName(LabelRequirement::Op op) {
  switch (op) {
    case LabelRequirement::Op::kIn:
      return "In";
    case LabelRequirement::Op::kNotIn:
      return "NotIn";
    case LabelRequirement::Op::kExists:
      return "Exists";
    case LabelRequirement::Op::kDoesNotExist:
      return "DoesNotExist";
  }
  return "In";
}

// matchLabels for single-value In requirements, matchExpressions for the rest.
void EmitSelector(YAML::Emitter& out, const LabelSelector& s) {
  out << YAML::Flow << YAML::BeginMap;
  bool any_labels = false, any_expressions = false;
  for (const LabelRequirement& r : s.requirements()) {
    bool simple = r.op == LabelRequirement::Op::kIn && r.values.size() == 1;
    (simple ? any_labels : any_expressions) = true;
  }
  if (any_labels) {
    out << YAML::Key << "matchLabels" << YAML::Value << YAML::BeginMap;
    for (const LabelRequirement& r : s.requirements()) {
      if (r.op == LabelRequirement::Op::kIn && r.values.size() == 1) {
        out << YAML::Key << r.key << YAML::Value << r.values[0];
      }
    }
    out << YAML::EndMap;
  }
  if (any_expressions) {
    out << YAML::Key << "matchExpressions" << YAML::Value << YAML::BeginSeq;
    for (const LabelRequirement& r : s.requirements()) {
      if (r.op == LabelRequirement::Op::kIn && r.values.size() == 1) continue;
      out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << r.key << YAML::Key << "operator"
          << YAML::Value << OpName(r.op);
      if (!r.values.empty()) out << YAML::Key << "values" << YAML::Value << r.values;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void EmitPorts(YAML::Emitter& out, const std::vector<PortMatch>& ports) {
  if (ports.empty()) return;
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq;
  for (const PortMatch& p : ports) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "protocol" << YAML::Value
        << std::string(ProtocolName(p.protocol));
    if (p.kind == PortMatch::Kind::kNamed) {
      out << YAML::Key << "port" << YAML::Value << p.name;
    } else if (p.kind == PortMatch::Kind::kRange) {
      out << YAML::Key << "port" << YAML::Value << p.start;
      if (p.end != p.start) out << YAML::Key << "endPort" << YAML::Value << p.end;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void BeginObject(YAML::Emitter& out, const char* api, const char* kind, const std::string& name,
                 const std::string& ns) {
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << api;
  out << YAML::Key << "kind" << YAML::Value << kind;
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  if (!ns.empty()) out << YAML::Key << "namespace" << YAML::Value << ns;
  out << YAML::Key << "labels" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "app.kubernetes.io/managed-by" << YAML::Value << "microseg-recommend" << YAML::EndMap;
  out << YAML::EndMap;
}

void EmitNetworkPolicy(YAML::Emitter& out, const NetworkPolicy& np) {
  BeginObject(out, "networking.k8s.io/v1", "NetworkPolicy", np.name, np.namespace_name);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "podSelector" << YAML::Value;
  EmitSelector(out, np.pod_selector);
  out << YAML::Key << "policyTypes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  if (np.affects_ingress) out << "Ingress";
  if (np.affects_egress) out << "Egress";
  out << YAML::EndSeq;
  for (bool ingress : {true, false}) {
    const auto& rules = ingress ? np.ingress : np.egress;
    // An empty list is the point (nothing allowed): write it as `[]`.
    out << YAML::Key << (ingress ? "ingress" : "egress") << YAML::Value;
    if (rules.empty()) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const NetworkPolicyRule& rule : rules) {
      out << YAML::BeginMap << YAML::Key << (ingress ? "from" : "to") << YAML::Value
          << YAML::BeginSeq;
      for (const NetworkPolicyPeer& peer : rule.peers) {
        out << YAML::BeginMap;
        if (peer.ip_block) {
          out << YAML::Key << "ipBlock" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
              << "cidr" << YAML::Value << peer.ip_block->cidr.ToString() << YAML::EndMap;
        }
        if (peer.pod_selector) {
          out << YAML::Key << "podSelector" << YAML::Value;
          EmitSelector(out, *peer.pod_selector);
        }
        if (peer.namespace_selector) {
          out << YAML::Key << "namespaceSelector" << YAML::Value;
          EmitSelector(out, *peer.namespace_selector);
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
      EmitPorts(out, rule.ports);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
}

void EmitScope(YAML::Emitter& out, const Scope& scope) {
  out << YAML::Key << "scope" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "selector" << YAML::Value;
  EmitSelector(out, scope.selector);
  if (scope.namespace_selector) {
    out << YAML::Key << "namespaceSelector" << YAML::Value;
    EmitSelector(out, *scope.namespace_selector);
  }
  if (!scope.kinds.empty()) {
    out << YAML::Key << "kinds" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (EndpointKind k : scope.kinds) out << std::string(EndpointKindName(k));
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void EmitRuleset(YAML::Emitter& out, const Ruleset& rs) {
  BeginObject(out, "microseg.io/v1alpha1", "Ruleset", rs.name, "");
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "tier" << YAML::Value << std::string(RulesetTierName(rs.tier));
  out << YAML::Key << "priority" << YAML::Value << rs.priority;
  EmitScope(out, rs.scope);
  for (bool ingress : {true, false}) {
    const auto& rules = ingress ? rs.ingress : rs.egress;
    out << YAML::Key << (ingress ? "ingress" : "egress") << YAML::Value;
    if (rules.empty()) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const RulesetRule& rule : rules) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << rule.name;
      out << YAML::Key << "action" << YAML::Value
          << (rule.action == RuleAction::kAllow ? "Allow" : "Deny");
      out << YAML::Key << "peers" << YAML::Value << YAML::BeginSeq;
      for (const RulesetPeer& peer : rule.peers) {
        out << YAML::BeginMap;
        switch (peer.kind) {
          case RulesetPeer::Kind::kSelector:
            out << YAML::Key << "selector" << YAML::Value;
            EmitSelector(out, peer.selector.value_or(LabelSelector()));
            if (peer.namespace_selector) {
              out << YAML::Key << "namespaceSelector" << YAML::Value;
              EmitSelector(out, *peer.namespace_selector);
            }
            break;
          case RulesetPeer::Kind::kService:
            out << YAML::Key << "service" << YAML::Value
                << peer.service_namespace + "/" + peer.service_name;
            break;
          case RulesetPeer::Kind::kIpList:
            out << YAML::Key << "ipList" << YAML::Value << peer.ip_list;
            break;
          case RulesetPeer::Kind::kAny:
            out << YAML::Key << "any" << YAML::Value << true;
            break;
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
      EmitPorts(out, rule.ports);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
}

void EmitIpList(YAML::Emitter& out, const IpList& list) {
  BeginObject(out, "microseg.io/v1alpha1", "IPList", list.name, "");
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cidrs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const Cidr& c : list.cidrs) out << c.ToString();
  out << YAML::EndSeq;
  if (!list.except.empty()) {
    out << YAML::Key << "except" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const Cidr& c : list.except) out << c.ToString();
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
}

void EmitMode(YAML::Emitter& out, const EnforcementMode& mode) {
  BeginObject(out, "microseg.io/v1alpha1", "EnforcementMode", mode.name, "");
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  EmitScope(out, mode.scope);
  out << YAML::Key << "mode" << YAML::Value << std::string(ModeName(mode.mode));
  out << YAML::EndMap << YAML::EndMap;
}

}  // namespace

std::string ObjectsToYaml(const ObjectSet& objects, const std::string& comment) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  for (const NetworkPolicy& np : objects.network_policies) EmitNetworkPolicy(out, np);
  for (const IpList& list : objects.ip_lists) EmitIpList(out, list);
  for (const Ruleset& rs : objects.rulesets) EmitRuleset(out, rs);
  for (const EnforcementMode& m : objects.enforcement_modes) EmitMode(out, m);
  std::ostringstream text;
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) text << "# " << line << "\n";
  text << out.c_str() << "\n";
  return text.str();
}

}  // namespace microseg
