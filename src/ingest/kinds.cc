#include "ingest/kinds.h"

#include "ingest/decoders.h"

namespace microseg {

namespace {

// Decodes a T with `decode` and adds it to `list` under `key(value)`.
template <typename T, typename Decode, typename Key>
Status DecodeAndAdd(const Field& doc, const std::string& origin, ObjectSink* sink,
                    std::string_view kind, Decode decode, Key key, std::vector<T>* list) {
  T value;
  MICROSEG_RETURN_IF_ERROR(decode(doc, &value));
  std::string k = key(value);
  sink->Add(kind, k, origin, std::move(value), list);
  return Status::Ok();
}

template <typename T>
std::string NameOf(const T& value) {
  return value.name;
}
template <typename T>
std::string KeyOf(const T& value) {
  return value.Key();
}

constexpr KindSpec kKinds[] = {
    {"Namespace", "v1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Namespace", DecodeNamespace, NameOf<Namespace>,
                           &sink->objects().namespaces);
     }},
    {"Pod", "v1", true,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Pod", DecodePod, KeyOf<Pod>,
                           &sink->objects().pods);
     }},
    {"Node", "v1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Node", DecodeNode, NameOf<Node>,
                           &sink->objects().nodes);
     }},
    {"Service", "v1", true,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Service", DecodeService, KeyOf<Service>,
                           &sink->objects().services);
     }},
    {"NetworkPolicy", "networking.k8s.io/v1", true,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "NetworkPolicy", DecodeNetworkPolicy,
                           KeyOf<NetworkPolicy>, &sink->objects().network_policies);
     }},
    {"AdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       auto decode = [](const Field& d, AdminNetworkPolicy* p) {
         return DecodeAdminNetworkPolicy(d, /*baseline=*/false, p);
       };
       return DecodeAndAdd(doc, origin, sink, "AdminNetworkPolicy", decode,
                           NameOf<AdminNetworkPolicy>, &sink->objects().admin_network_policies);
     }},
    {"BaselineAdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       AdminNetworkPolicy policy;
       MICROSEG_RETURN_IF_ERROR(DecodeAdminNetworkPolicy(doc, /*baseline=*/true, &policy));
       sink->SetBaseline(origin, std::move(policy));
       return Status::Ok();
     }},
    {"Workload", "microseg.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Workload", DecodeWorkload, NameOf<Workload>,
                           &sink->objects().workloads);
     }},
    {"IPList", "microseg.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "IPList", DecodeIpList, NameOf<IpList>,
                           &sink->objects().ip_lists);
     }},
    {"Ruleset", "microseg.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "Ruleset", DecodeRuleset, NameOf<Ruleset>,
                           &sink->objects().rulesets);
     }},
    {"EnforcementMode", "microseg.io/v1alpha1", false,
     [](const Field& doc, const std::string& origin, ObjectSink* sink) {
       return DecodeAndAdd(doc, origin, sink, "EnforcementMode", DecodeEnforcementMode,
                           NameOf<EnforcementMode>, &sink->objects().enforcement_modes);
     }},
};

}  // namespace

const KindSpec* FindKind(std::string_view kind) {
  for (const KindSpec& spec : kKinds) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

}  // namespace microseg
