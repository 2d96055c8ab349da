// microseg.io/v1alpha1: Workload, IPList, Ruleset, EnforcementMode.
// The format is ours; docs/MANIFESTS.md documents it with examples.
#include <algorithm>

#include "ingest/decode_common.h"
#include "ingest/decoders.h"

namespace microseg {

namespace {

Status DecodeScope(const Field& field, Scope* scope) {
  MICROSEG_RETURN_IF_ERROR(field.RequireMap());
  // Required, so that "everything" is always written out as `selector: {}`.
  MICROSEG_RETURN_IF_ERROR(DecodeRequiredSelector(field.Child("selector"), &scope->selector));
  MICROSEG_RETURN_IF_ERROR(
      DecodeOptionalSelector(field.Child("namespaceSelector"), &scope->namespace_selector));
  return field.Child("kinds").ForEachItem([&](const Field& item) -> Status {
    if (!item.present()) return item.Missing();
    size_t index = 0;
    MICROSEG_RETURN_IF_ERROR(DecodeEnum(item, {"Pod", "Workload", "Node"}, &index));
    constexpr EndpointKind kKinds[] = {EndpointKind::kPod, EndpointKind::kWorkload,
                                       EndpointKind::kNode};
    if (std::find(scope->kinds.begin(), scope->kinds.end(), kKinds[index]) != scope->kinds.end()) {
      return item.Error("duplicate value " + Quote(EndpointKindName(kKinds[index])));
    }
    scope->kinds.push_back(kKinds[index]);
    return Status::Ok();
  });
}

// `service: "namespace/name"`.
Status DecodeServiceRef(const Field& field, RulesetPeer* peer) {
  std::string text;
  MICROSEG_RETURN_IF_ERROR(field.ReadString(&text));
  size_t slash = text.find('/');
  if (slash == std::string::npos || !ValidateDnsLabel(text.substr(0, slash)).empty() ||
      !ValidateDnsLabel(text.substr(slash + 1)).empty()) {
    return field.Error("invalid service reference " + Quote(text) +
                       ": expected \"namespace/name\"");
  }
  peer->service_namespace = text.substr(0, slash);
  peer->service_name = text.substr(slash + 1);
  return Status::Ok();
}

Status DecodeRulesetPeer(const Field& field, RulesetPeer* peer) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  Field selector = field.Child("selector");
  Field namespace_selector = field.Child("namespaceSelector");
  Field service = field.Child("service");
  Field ip_list = field.Child("ipList");
  Field any = field.Child("any");
  int forms = (selector.present() || namespace_selector.present()) + service.present() +
              ip_list.present() + any.present();
  if (forms != 1) {
    return field.Error(
        "must set exactly one of selector (optionally with namespaceSelector), service, ipList "
        "or any");
  }
  if (service.present()) {
    peer->kind = RulesetPeer::Kind::kService;
    return DecodeServiceRef(service, peer);
  }
  if (ip_list.present()) {
    peer->kind = RulesetPeer::Kind::kIpList;
    MICROSEG_RETURN_IF_ERROR(ip_list.ReadString(&peer->ip_list));
    if (std::string err = ValidateDnsSubdomain(peer->ip_list); !err.empty()) {
      return ip_list.Error("invalid IPList name " + Quote(peer->ip_list) + ": " + err);
    }
    return Status::Ok();
  }
  if (any.present()) {
    bool value = false;
    MICROSEG_RETURN_IF_ERROR(any.ReadBool(&value));
    if (!value) return any.Error("must be true when set");
    peer->kind = RulesetPeer::Kind::kAny;
    return Status::Ok();
  }
  peer->kind = RulesetPeer::Kind::kSelector;
  MICROSEG_RETURN_IF_ERROR(DecodeOptionalSelector(selector, &peer->selector));
  return DecodeOptionalSelector(namespace_selector, &peer->namespace_selector);
}

Status DecodeRulesetRules(const Field& rules, std::vector<RulesetRule>* out) {
  return rules.ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    RulesetRule rule;
    MICROSEG_RETURN_IF_ERROR(item.Child("name").ReadString(&rule.name));
    size_t action = 0;
    MICROSEG_RETURN_IF_ERROR(DecodeEnum(item.Child("action"), {"Allow", "Deny"}, &action));
    rule.action = action == 0 ? RuleAction::kAllow : RuleAction::kDeny;
    Field peers = item.Child("peers");
    MICROSEG_RETURN_IF_ERROR(peers.RequireList());
    if (peers.size() == 0) return peers.Error("must not be empty");
    MICROSEG_RETURN_IF_ERROR(peers.ForEachItem([&](const Field& field) -> Status {
      RulesetPeer peer;
      MICROSEG_RETURN_IF_ERROR(DecodeRulesetPeer(field, &peer));
      rule.peers.push_back(std::move(peer));
      return Status::Ok();
    }));
    MICROSEG_RETURN_IF_ERROR(item.Child("ports").ForEachItem([&](const Field& field) -> Status {
      PortMatch port;
      MICROSEG_RETURN_IF_ERROR(DecodePolicyPort(field, &port));
      rule.ports.push_back(std::move(port));
      return Status::Ok();
    }));
    out->push_back(std::move(rule));
    return Status::Ok();
  });
}

}  // namespace

Status DecodeWorkload(const Field& doc, Workload* workload) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  workload->name = std::move(meta.name);
  workload->labels = std::move(meta.labels);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.RequireMap());
  Field ips = spec.Child("ips");
  MICROSEG_RETURN_IF_ERROR(ips.RequireList());
  if (ips.size() == 0) return ips.Error("must not be empty");
  MICROSEG_RETURN_IF_ERROR(ips.ForEachItem([&](const Field& item) -> Status {
    if (!item.present()) return item.Missing();
    IpAddress ip;
    MICROSEG_RETURN_IF_ERROR(DecodeIp(item, &ip));
    auto& list = workload->ips;
    if (std::find(list.begin(), list.end(), ip) == list.end()) list.push_back(ip);
    return Status::Ok();
  }));

  Field host = spec.Child("host");
  MICROSEG_RETURN_IF_ERROR(host.ReadString(&workload->host));
  MICROSEG_RETURN_IF_ERROR(spec.Child("unmanaged").ReadBool(&workload->unmanaged));
  if (workload->host.empty() == !workload->unmanaged) {
    return spec.Error("must set exactly one of host or unmanaged: true");
  }
  if (!workload->host.empty()) {
    if (std::string err = ValidateDnsSubdomain(workload->host); !err.empty()) {
      return host.Error("invalid host name " + Quote(workload->host) + ": " + err);
    }
  }

  return spec.Child("ports").ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    ContainerPort port;
    MICROSEG_RETURN_IF_ERROR(DecodePortName(item.Child("name"), &port.name));
    Field number = item.Child("port");
    if (!number.present()) return number.Missing();
    MICROSEG_RETURN_IF_ERROR(DecodePortNumber(number, &port.port));
    MICROSEG_RETURN_IF_ERROR(DecodeProtocol(item.Child("protocol"), &port.protocol));
    workload->ports.push_back(std::move(port));
    return Status::Ok();
  });
}

Status DecodeIpList(const Field& doc, IpList* list) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  list->name = std::move(meta.name);

  constexpr CidrOptions kOptions{.mask_host_bits = false, .allow_bare_ip = true};
  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.RequireMap());
  Field cidrs = spec.Child("cidrs");
  MICROSEG_RETURN_IF_ERROR(cidrs.RequireList());
  if (cidrs.size() == 0) return cidrs.Error("must not be empty");
  MICROSEG_RETURN_IF_ERROR(cidrs.ForEachItem([&](const Field& item) -> Status {
    if (!item.present()) return item.Missing();
    Cidr cidr;
    MICROSEG_RETURN_IF_ERROR(DecodeCidr(item, kOptions, &cidr));
    list->cidrs.push_back(cidr);
    return Status::Ok();
  }));
  return spec.Child("except").ForEachItem([&](const Field& item) -> Status {
    if (!item.present()) return item.Missing();
    Cidr except;
    MICROSEG_RETURN_IF_ERROR(DecodeCidr(item, kOptions, &except));
    bool inside = std::any_of(list->cidrs.begin(), list->cidrs.end(),
                              [&](const Cidr& c) { return c.Contains(except); });
    if (!inside) return item.Error(except.ToString() + " is not inside any of cidrs");
    list->except.push_back(except);
    return Status::Ok();
  });
}

Status DecodeRuleset(const Field& doc, Ruleset* ruleset) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  ruleset->name = std::move(meta.name);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.RequireMap());
  size_t tier = 1;  // application
  MICROSEG_RETURN_IF_ERROR(
      DecodeEnum(spec.Child("tier"), {"admin", "application", "baseline"}, &tier));
  constexpr RulesetTier kTiers[] = {RulesetTier::kAdmin, RulesetTier::kApplication,
                                    RulesetTier::kBaseline};
  ruleset->tier = kTiers[tier];
  int64_t priority = 100;
  MICROSEG_RETURN_IF_ERROR(spec.Child("priority").ReadInt(0, 1000, &priority));
  ruleset->priority = static_cast<int>(priority);
  MICROSEG_RETURN_IF_ERROR(DecodeScope(spec.Child("scope"), &ruleset->scope));
  MICROSEG_RETURN_IF_ERROR(DecodeRulesetRules(spec.Child("ingress"), &ruleset->ingress));
  return DecodeRulesetRules(spec.Child("egress"), &ruleset->egress);
}

Status DecodeEnforcementMode(const Field& doc, EnforcementMode* mode) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  mode->name = std::move(meta.name);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.RequireMap());
  MICROSEG_RETURN_IF_ERROR(DecodeScope(spec.Child("scope"), &mode->scope));
  Field mode_field = spec.Child("mode");
  if (!mode_field.present()) return mode_field.Missing();
  size_t index = 0;
  MICROSEG_RETURN_IF_ERROR(DecodeEnum(mode_field, {"visibility", "enforced"}, &index));
  mode->mode = index == 0 ? Mode::kVisibility : Mode::kEnforced;
  return Status::Ok();
}

}  // namespace microseg
