// networking.k8s.io/v1 NetworkPolicy.
#include "ingest/decode_common.h"
#include "ingest/decoders.h"

namespace microseg {

namespace {

// The API server accepts ipBlock CIDRs with host bits set and masks them.
constexpr CidrOptions kIpBlockCidr{.mask_host_bits = true, .allow_bare_ip = false};

Status DecodeIpBlock(const Field& field, IpBlock* block) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  Field cidr = field.Child("cidr");
  if (!cidr.present()) return cidr.Missing();
  MICROSEG_RETURN_IF_ERROR(DecodeCidr(cidr, kIpBlockCidr, &block->cidr));
  return field.Child("except").ForEachItem([&](const Field& item) -> Status {
    Cidr except;
    if (!item.present()) return item.Missing();
    MICROSEG_RETURN_IF_ERROR(DecodeCidr(item, kIpBlockCidr, &except));
    if (except.family() != block->cidr.family()) {
      return item.Error("must be of the same IP family as cidr " + block->cidr.ToString());
    }
    if (!block->cidr.Contains(except) || except.prefix_len() <= block->cidr.prefix_len()) {
      return item.Error(except.ToString() + " must be a strict subset of cidr " +
                        block->cidr.ToString());
    }
    block->except.push_back(except);
    return Status::Ok();
  });
}

Status DecodePeer(const Field& field, NetworkPolicyPeer* peer) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  MICROSEG_RETURN_IF_ERROR(DecodeOptionalSelector(field.Child("podSelector"), &peer->pod_selector));
  MICROSEG_RETURN_IF_ERROR(
      DecodeOptionalSelector(field.Child("namespaceSelector"), &peer->namespace_selector));
  Field ip_block = field.Child("ipBlock");
  if (ip_block.present()) {
    IpBlock block;
    MICROSEG_RETURN_IF_ERROR(DecodeIpBlock(ip_block, &block));
    peer->ip_block = std::move(block);
  }
  bool has_selector = peer->pod_selector || peer->namespace_selector;
  if (!has_selector && !peer->ip_block) {
    return field.Error("must set at least one of podSelector, namespaceSelector or ipBlock");
  }
  if (has_selector && peer->ip_block) {
    return field.Error("ipBlock may not be combined with podSelector or namespaceSelector");
  }
  return Status::Ok();
}

// `peers_key` is "from" for ingress rules, "to" for egress rules.
Status DecodeRules(const Field& rules, const char* peers_key, std::vector<NetworkPolicyRule>* out) {
  return rules.ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    NetworkPolicyRule rule;
    MICROSEG_RETURN_IF_ERROR(item.Child("ports").ForEachItem([&](const Field& port) -> Status {
      PortMatch match;
      MICROSEG_RETURN_IF_ERROR(DecodePolicyPort(port, &match));
      rule.ports.push_back(std::move(match));
      return Status::Ok();
    }));
    MICROSEG_RETURN_IF_ERROR(item.Child(peers_key).ForEachItem([&](const Field& field) -> Status {
      NetworkPolicyPeer peer;
      MICROSEG_RETURN_IF_ERROR(DecodePeer(field, &peer));
      rule.peers.push_back(std::move(peer));
      return Status::Ok();
    }));
    out->push_back(std::move(rule));
    return Status::Ok();
  });
}

}  // namespace

Status DecodeNetworkPolicy(const Field& doc, NetworkPolicy* policy) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/true, NameRule::kDnsSubdomain, &meta));
  policy->namespace_name = std::move(meta.namespace_name);
  policy->name = std::move(meta.name);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.ExpectMap());
  // Required by the API, but `{}` is the usual value; absent means the same.
  MICROSEG_RETURN_IF_ERROR(DecodeSelector(spec.Child("podSelector"), &policy->pod_selector));
  Field ingress = spec.Child("ingress");
  Field egress = spec.Child("egress");
  MICROSEG_RETURN_IF_ERROR(DecodeRules(ingress, "from", &policy->ingress));
  MICROSEG_RETURN_IF_ERROR(DecodeRules(egress, "to", &policy->egress));

  Field types = spec.Child("policyTypes");
  bool listed[2] = {false, false};  // Ingress, Egress
  MICROSEG_RETURN_IF_ERROR(types.ForEachItem([&](const Field& item) -> Status {
    if (!item.present()) return item.Missing();
    size_t index = 0;
    MICROSEG_RETURN_IF_ERROR(DecodeEnum(item, {"Ingress", "Egress"}, &index));
    if (listed[index])
      return item.Error("duplicate value " + Quote(index == 0 ? "Ingress" : "Egress"));
    listed[index] = true;
    return Status::Ok();
  }));
  if (types.size() == 0) {
    // The API server's defaulting: Ingress always, Egress when there are
    // egress rules.
    policy->affects_ingress = true;
    policy->affects_egress = !policy->egress.empty();
  } else {
    policy->affects_ingress = listed[0];
    policy->affects_egress = listed[1];
  }
  return Status::Ok();
}

}  // namespace microseg
