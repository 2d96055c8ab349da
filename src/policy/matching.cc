#include "policy/matching.h"

namespace microseg {
namespace {

// The identity of a policy-visible pod, or null (not a pod, hostNetwork).
const Identity* PodIdentity(const PolicyEngine::State& s, const Endpoint& e) {
  if (e.kind != EndpointKind::kPod || e.identity == kNoIdentity) return nullptr;
  return &s.identities.Get(e.identity);
}

// Sets *why to `text()`. The text (addresses, selectors, names) is built
// only when asked for: plain checks pass a null `why` and must not pay for
// formatting and allocating explanations nobody reads.
template <typename Text>
void Say(std::string* why, Text text) {
  if (why) *why = text();
}

}  // namespace

bool MatchNetworkPolicyPeer(const PolicyEngine::State& s, const NetworkPolicy& policy,
                            const NetworkPolicyPeer& peer, const Endpoint& other,
                            std::string* why) {
  if (peer.ip_block) {
    bool in = other.has_ip && peer.ip_block->Contains(other.ip);
    if (why) {
      std::string block = "ipBlock " + peer.ip_block->cidr.ToString();
      if (!peer.ip_block->except.empty()) block += " (with except)";
      *why = other.ip.ToString() + (in ? " is in " : " is not in ") + block;
    }
    return in;
  }
  const Identity* id = PodIdentity(s, other);
  if (!id) {
    Say(why, [&] {
      return other.DisplayName() + " is not a pod, so pod/namespace selectors cannot match it";
    });
    return false;
  }
  if (peer.namespace_selector) {
    if (!peer.namespace_selector->Matches(s.NamespaceLabelsOf(*id))) {
      Say(why, [&] {
        return "namespace " + id->namespace_name + " does not match namespaceSelector {" +
               peer.namespace_selector->ToString() + "}";
      });
      return false;
    }
  } else if (id->namespace_name != policy.namespace_name) {
    Say(why, [&] {
      return "podSelector without namespaceSelector only selects pods of namespace " +
             policy.namespace_name;
    });
    return false;
  }
  if (peer.pod_selector && !peer.pod_selector->Matches(id->labels)) {
    Say(why, [&] {
      return other.name + " does not match podSelector {" + peer.pod_selector->ToString() + "}";
    });
    return false;
  }
  Say(why, [&] { return other.name + " matches the peer"; });
  return true;
}

bool MatchAdminPeer(const PolicyEngine::State& s, const AdminPeer& peer, const Endpoint& other,
                    std::string* why) {
  switch (peer.kind) {
    case AdminPeer::Kind::kNamespaces:
    case AdminPeer::Kind::kPods: {
      const Identity* id = PodIdentity(s, other);
      if (!id) {
        Say(why, [&] { return other.DisplayName() + " is not a pod"; });
        return false;
      }
      if (!peer.namespace_selector.Matches(s.NamespaceLabelsOf(*id))) {
        Say(why, [&] {
          return "namespace " + id->namespace_name + " does not match {" +
                 peer.namespace_selector.ToString() + "}";
        });
        return false;
      }
      if (peer.kind == AdminPeer::Kind::kPods && !peer.pod_selector.Matches(id->labels)) {
        Say(why, [&] {
          return other.name + " does not match podSelector {" + peer.pod_selector.ToString() + "}";
        });
        return false;
      }
      Say(why, [&] { return other.name + " matches the peer"; });
      return true;
    }
    case AdminPeer::Kind::kNodes: {
      if (other.kind != EndpointKind::kNode || other.identity == kNoIdentity) {
        Say(why, [&] { return other.DisplayName() + " is not a node"; });
        return false;
      }
      bool ok = peer.node_selector.Matches(s.identities.Get(other.identity).labels);
      Say(why, [&] {
        return other.DisplayName() + (ok ? " matches" : " does not match") + " nodes {" +
               peer.node_selector.ToString() + "}";
      });
      return ok;
    }
    case AdminPeer::Kind::kNetworks: {
      for (const Cidr& c : peer.networks) {
        if (other.has_ip && c.Contains(other.ip)) {
          Say(why, [&] { return other.ip.ToString() + " is in network " + c.ToString(); });
          return true;
        }
      }
      Say(why, [&] { return other.ip.ToString() + " is in none of the networks"; });
      return false;
    }
  }
  return false;
}

bool MatchRulesetPeer(const PolicyEngine::State& s, const RulesetPeer& peer, const Endpoint& other,
                      std::string* why) {
  switch (peer.kind) {
    case RulesetPeer::Kind::kAny:
      Say(why, [&] { return "any matches everything"; });
      return true;
    case RulesetPeer::Kind::kIpList: {
      auto it = s.ip_lists.find(peer.ip_list);
      if (it == s.ip_lists.end()) {
        Say(why, [&] { return "IPList " + peer.ip_list + " does not exist"; });
        return false;
      }
      bool in = other.has_ip && it->second.Contains(other.ip);
      Say(why, [&] {
        return other.ip.ToString() + (in ? " is in" : " is not in") + " IPList " + peer.ip_list;
      });
      return in;
    }
    case RulesetPeer::Kind::kService: {
      std::string key = peer.service_namespace + "/" + peer.service_name;
      auto it = s.services.find(key);
      if (it == s.services.end()) {
        Say(why, [&] { return "Service " + key + " does not exist"; });
        return false;
      }
      const Identity* id = PodIdentity(s, other);
      bool ok = id && it->second.selector && id->namespace_name == peer.service_namespace &&
                it->second.selector->Matches(id->labels);
      Say(why, [&] {
        return other.DisplayName() + (ok ? " is" : " is not") + " a backend of Service " + key;
      });
      return ok;
    }
    case RulesetPeer::Kind::kSelector: {
      if (other.identity == kNoIdentity) {
        Say(why, [&] { return other.DisplayName() + " has no labels (not a known endpoint)"; });
        return false;
      }
      const Identity& id = s.identities.Get(other.identity);
      if (peer.namespace_selector) {
        if (id.kind != EndpointKind::kPod ||
            !peer.namespace_selector->Matches(s.NamespaceLabelsOf(id))) {
          Say(why, [&] {
            return other.DisplayName() + " is not a pod of a namespace matching {" +
                   peer.namespace_selector->ToString() + "}";
          });
          return false;
        }
      }
      if (peer.selector && !peer.selector->Matches(id.labels)) {
        Say(why, [&] {
          return other.DisplayName() + " does not match {" + peer.selector->ToString() + "}";
        });
        return false;
      }
      Say(why, [&] { return other.DisplayName() + " matches the peer"; });
      return true;
    }
  }
  return false;
}

bool MatchPort(const PolicyEngine::State& s, const PortMatch& match, Protocol protocol,
               uint16_t port, const Endpoint& destination, bool any_protocol_name) {
  switch (match.kind) {
    case PortMatch::Kind::kAllPorts:
      return match.protocol == protocol;
    case PortMatch::Kind::kRange:
      return match.protocol == protocol && match.start <= port && port <= match.end;
    case PortMatch::Kind::kNamed: {
      if (!any_protocol_name && match.protocol != protocol) return false;
      const std::vector<ContainerPort>* ports = s.PortsOf(destination);
      if (!ports) return false;
      for (const ContainerPort& p : *ports) {
        if (p.name == match.name && p.protocol == protocol && p.port == port) return true;
      }
      return false;
    }
  }
  return false;
}

bool MatchPorts(const PolicyEngine::State& s, const std::vector<PortMatch>& ports,
                Protocol protocol, uint16_t port, const Endpoint& destination,
                bool any_protocol_name, std::string* why) {
  if (ports.empty()) return true;
  for (const PortMatch& m : ports) {
    if (MatchPort(s, m, protocol, port, destination, any_protocol_name)) {
      Say(why, [&] { return "port " + m.ToString() + " matches"; });
      return true;
    }
  }
  if (why) {
    std::string list;
    for (const PortMatch& m : ports) list += (list.empty() ? "" : ", ") + m.ToString();
    *why = std::string(ProtocolName(protocol)) + "/" + std::to_string(port) +
           " is not in ports [" + list + "]";
  }
  return false;
}

}  // namespace microseg
