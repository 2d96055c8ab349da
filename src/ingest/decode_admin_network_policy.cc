// policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and
// BaselineAdminNetworkPolicy. Their validation lives in the CRD schema
// (required fields, enums, list bounds, "exactly one of"); we check the same.
#include <initializer_list>

#include "ingest/decode_common.h"
#include "ingest/decoders.h"

namespace microseg {

namespace {

constexpr size_t kMaxRules = 100;
constexpr size_t kMaxPeers = 100;
constexpr size_t kMaxPorts = 100;
constexpr size_t kMaxNetworks = 25;
constexpr size_t kMaxRuleName = 100;

// Checks that `field` sets exactly one of `keys`; *which is its index.
Status ExactlyOneOf(const Field& field, std::initializer_list<const char*> keys, size_t* which) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  size_t count = 0, i = 0;
  for (const char* key : keys) {
    if (field.Child(key).present()) {
      *which = i;
      ++count;
    }
    ++i;
  }
  if (count == 1) return Status::Ok();
  std::string names;
  i = 0;
  for (const char* key : keys) {
    if (i > 0) names += (i + 1 == keys.size()) ? " or " : ", ";
    names += key;
    ++i;
  }
  return field.Error("must set exactly one of " + names);
}

// A list that, when present, holds between 1 and `max` items.
Status CheckBounds(const Field& list, size_t max) {
  MICROSEG_RETURN_IF_ERROR(list.ExpectList());
  if (list.present() && list.size() == 0) return list.Error("must not be empty");
  if (list.size() > max) {
    return list.Error("must have at most " + std::to_string(max) + " items, got " +
                      std::to_string(list.size()));
  }
  return Status::Ok();
}

// {namespaceSelector, podSelector}, both required.
Status DecodeNamespacedPods(const Field& field, LabelSelector* namespaces, LabelSelector* pods) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  MICROSEG_RETURN_IF_ERROR(DecodeRequiredSelector(field.Child("namespaceSelector"), namespaces));
  return DecodeRequiredSelector(field.Child("podSelector"), pods);
}

Status DecodeSubject(const Field& field, AdminSubject* subject) {
  if (!field.present()) return field.Missing();
  size_t which = 0;
  MICROSEG_RETURN_IF_ERROR(ExactlyOneOf(field, {"namespaces", "pods"}, &which));
  if (which == 0) return DecodeSelector(field.Child("namespaces"), &subject->namespace_selector);
  subject->pod_selector.emplace();
  return DecodeNamespacedPods(field.Child("pods"), &subject->namespace_selector,
                              &*subject->pod_selector);
}

Status DecodePeer(const Field& field, bool egress, AdminPeer* peer) {
  size_t which = 0;
  if (egress) {
    MICROSEG_RETURN_IF_ERROR(
        ExactlyOneOf(field, {"namespaces", "pods", "nodes", "networks"}, &which));
  } else {
    for (const char* egress_only : {"nodes", "networks"}) {
      Field form = field.Child(egress_only);
      if (form.present()) return form.Error("is only allowed in egress rules");
    }
    MICROSEG_RETURN_IF_ERROR(ExactlyOneOf(field, {"namespaces", "pods"}, &which));
  }
  switch (which) {
    case 0:
      peer->kind = AdminPeer::Kind::kNamespaces;
      return DecodeSelector(field.Child("namespaces"), &peer->namespace_selector);
    case 1:
      peer->kind = AdminPeer::Kind::kPods;
      return DecodeNamespacedPods(field.Child("pods"), &peer->namespace_selector,
                                  &peer->pod_selector);
    case 2:
      peer->kind = AdminPeer::Kind::kNodes;
      return DecodeSelector(field.Child("nodes"), &peer->node_selector);
    default: {
      peer->kind = AdminPeer::Kind::kNetworks;
      Field networks = field.Child("networks");
      MICROSEG_RETURN_IF_ERROR(CheckBounds(networks, kMaxNetworks));
      return networks.ForEachItem([&](const Field& item) -> Status {
        Cidr cidr;
        if (!item.present()) return item.Missing();
        MICROSEG_RETURN_IF_ERROR(DecodeCidr(item, {.mask_host_bits = true}, &cidr));
        peer->networks.push_back(cidr);
        return Status::Ok();
      });
    }
  }
}

Status DecodePort(const Field& field, PortMatch* port) {
  size_t which = 0;
  MICROSEG_RETURN_IF_ERROR(ExactlyOneOf(field, {"portNumber", "namedPort", "portRange"}, &which));
  if (which == 1) {
    // The API gives a named port no protocol: it matches the destination's
    // container port of that name whatever its protocol. The model has no
    // "any protocol" for Named, so TCP is a placeholder; the evaluator
    // treats ANP named ports as protocol-agnostic.
    std::string name;
    MICROSEG_RETURN_IF_ERROR(DecodePortName(field.Child("namedPort"), &name));
    *port = PortMatch::Named(Protocol::kTCP, std::move(name));
    return Status::Ok();
  }
  Field body = field.Child(which == 0 ? "portNumber" : "portRange");
  MICROSEG_RETURN_IF_ERROR(body.ExpectMap());
  Protocol protocol = Protocol::kTCP;
  MICROSEG_RETURN_IF_ERROR(DecodeProtocol(body.Child("protocol"), &protocol));
  int64_t start = 0, end = 0;
  if (which == 0) {
    MICROSEG_RETURN_IF_ERROR(body.Child("port").RequireInt(1, 65535, &start));
    end = start;
  } else {
    MICROSEG_RETURN_IF_ERROR(body.Child("start").RequireInt(1, 65535, &start));
    Field end_field = body.Child("end");
    MICROSEG_RETURN_IF_ERROR(end_field.RequireInt(1, 65535, &end));
    if (end < start) {
      return end_field.Error("must be greater than or equal to start (" + std::to_string(start) +
                             "), got " + std::to_string(end));
    }
  }
  *port = PortMatch::Range(protocol, static_cast<uint16_t>(start), static_cast<uint16_t>(end));
  return Status::Ok();
}

Status DecodeRule(const Field& field, bool egress, bool baseline, AdminRule* rule) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  Field name = field.Child("name");
  MICROSEG_RETURN_IF_ERROR(name.ReadString(&rule->name));
  if (rule->name.size() > kMaxRuleName) {
    return name.Error("must be no more than " + std::to_string(kMaxRuleName) + " characters");
  }
  Field action = field.Child("action");
  if (!action.present()) return action.Missing();
  size_t index = 0;
  if (baseline) {
    MICROSEG_RETURN_IF_ERROR(DecodeEnum(action, {"Allow", "Deny"}, &index));
  } else {
    MICROSEG_RETURN_IF_ERROR(DecodeEnum(action, {"Allow", "Deny", "Pass"}, &index));
  }
  constexpr AdminAction kActions[] = {AdminAction::kAllow, AdminAction::kDeny, AdminAction::kPass};
  rule->action = kActions[index];

  Field peers = field.Child(egress ? "to" : "from");
  if (!peers.present()) return peers.Missing();
  MICROSEG_RETURN_IF_ERROR(CheckBounds(peers, kMaxPeers));
  MICROSEG_RETURN_IF_ERROR(peers.ForEachItem([&](const Field& item) -> Status {
    AdminPeer peer;
    MICROSEG_RETURN_IF_ERROR(DecodePeer(item, egress, &peer));
    rule->peers.push_back(std::move(peer));
    return Status::Ok();
  }));

  Field ports = field.Child("ports");
  if (!ports.present()) return Status::Ok();  // all ports
  MICROSEG_RETURN_IF_ERROR(CheckBounds(ports, kMaxPorts));
  rule->ports.emplace();
  return ports.ForEachItem([&](const Field& item) -> Status {
    PortMatch port;
    MICROSEG_RETURN_IF_ERROR(DecodePort(item, &port));
    rule->ports->push_back(std::move(port));
    return Status::Ok();
  });
}

Status DecodeRules(const Field& rules, bool egress, bool baseline, std::vector<AdminRule>* out) {
  MICROSEG_RETURN_IF_ERROR(rules.ExpectList());
  if (rules.size() > kMaxRules) {
    return rules.Error("must have at most " + std::to_string(kMaxRules) + " rules, got " +
                       std::to_string(rules.size()));
  }
  return rules.ForEachItem([&](const Field& item) -> Status {
    AdminRule rule;
    MICROSEG_RETURN_IF_ERROR(DecodeRule(item, egress, baseline, &rule));
    out->push_back(std::move(rule));
    return Status::Ok();
  });
}

}  // namespace

Status DecodeAdminNetworkPolicy(const Field& doc, bool baseline, AdminNetworkPolicy* policy) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  policy->name = std::move(meta.name);
  policy->baseline = baseline;
  if (baseline && policy->name != "default") {
    Field metadata = doc.Child("metadata");
    return metadata.Child("name").Error(
        "must be \"default\": there is only one BaselineAdminNetworkPolicy");
  }

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.RequireMap());
  if (!baseline) {
    int64_t priority = 0;
    MICROSEG_RETURN_IF_ERROR(spec.Child("priority").RequireInt(0, 1000, &priority));
    policy->priority = static_cast<int>(priority);
  }
  MICROSEG_RETURN_IF_ERROR(DecodeSubject(spec.Child("subject"), &policy->subject));
  MICROSEG_RETURN_IF_ERROR(
      DecodeRules(spec.Child("ingress"), /*egress=*/false, baseline, &policy->ingress));
  return DecodeRules(spec.Child("egress"), /*egress=*/true, baseline, &policy->egress);
}

}  // namespace microseg
