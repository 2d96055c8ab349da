// v1 inventory kinds: Namespace, Pod, Node, Service.
#include <algorithm>

#include "ingest/decode_common.h"
#include "ingest/decoders.h"

namespace microseg {

namespace {

void AddUnique(std::vector<IpAddress>* ips, const IpAddress& ip) {
  if (std::find(ips->begin(), ips->end(), ip) == ips->end()) ips->push_back(ip);
}

// containers[*].ports[*] (and initContainers).
Status DecodeContainerPorts(const Field& containers, std::vector<ContainerPort>* ports) {
  return containers.ForEachItem([&](const Field& container) -> Status {
    MICROSEG_RETURN_IF_ERROR(container.ExpectMap());
    return container.Child("ports").ForEachItem([&](const Field& item) -> Status {
      MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
      ContainerPort port;
      MICROSEG_RETURN_IF_ERROR(DecodePortName(item.Child("name"), &port.name));
      Field number = item.Child("containerPort");
      if (!number.present()) return number.Missing();
      MICROSEG_RETURN_IF_ERROR(DecodePortNumber(number, &port.port));
      MICROSEG_RETURN_IF_ERROR(DecodeProtocol(item.Child("protocol"), &port.protocol));
      ports->push_back(std::move(port));
      return Status::Ok();
    });
  });
}

}  // namespace

Status DecodeNamespace(const Field& doc, Namespace* ns) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsLabel, &meta));
  ns->name = meta.name;
  ns->labels = std::move(meta.labels);
  // The API server always sets this label, overriding any user value.
  ns->labels.Set(kNamespaceNameLabel, meta.name);
  return Status::Ok();
}

Status DecodePod(const Field& doc, Pod* pod) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/true, NameRule::kDnsSubdomain, &meta));
  pod->namespace_name = std::move(meta.namespace_name);
  pod->name = std::move(meta.name);
  pod->uid = meta.uid.empty() ? pod->namespace_name + "/" + pod->name : std::move(meta.uid);
  pod->created = std::move(meta.created);
  pod->labels = std::move(meta.labels);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.ExpectMap());
  MICROSEG_RETURN_IF_ERROR(spec.Child("nodeName").ReadString(&pod->node_name));
  MICROSEG_RETURN_IF_ERROR(spec.Child("hostNetwork").ReadBool(&pod->host_network));
  MICROSEG_RETURN_IF_ERROR(DecodeContainerPorts(spec.Child("containers"), &pod->ports));
  MICROSEG_RETURN_IF_ERROR(DecodeContainerPorts(spec.Child("initContainers"), &pod->ports));

  Field status = doc.Child("status");
  MICROSEG_RETURN_IF_ERROR(status.ExpectMap());
  MICROSEG_RETURN_IF_ERROR(status.Child("phase").ReadString(&pod->phase));
  Field pod_ip = status.Child("podIP");
  // Some tools write podIP: "" for a pod without an address yet.
  if (pod_ip.present() &&
      !(pod_ip.is_string() && pod_ip.json().get_ref<const std::string&>().empty())) {
    IpAddress ip;
    MICROSEG_RETURN_IF_ERROR(DecodeIp(pod_ip, &ip));
    AddUnique(&pod->ips, ip);
  }
  return status.Child("podIPs").ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    Field ip_field = item.Child("ip");
    if (!ip_field.present()) return ip_field.Missing();
    IpAddress ip;
    MICROSEG_RETURN_IF_ERROR(DecodeIp(ip_field, &ip));
    AddUnique(&pod->ips, ip);
    return Status::Ok();
  });
}

Status DecodeNode(const Field& doc, Node* node) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/false, NameRule::kDnsSubdomain, &meta));
  node->name = std::move(meta.name);
  node->labels = std::move(meta.labels);

  Field status = doc.Child("status");
  MICROSEG_RETURN_IF_ERROR(status.ExpectMap());
  return status.Child("addresses").ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    std::string type;
    MICROSEG_RETURN_IF_ERROR(item.Child("type").ReadString(&type));
    // Hostname and DNS entries are names, not addresses policy can match.
    if (type != "InternalIP" && type != "ExternalIP") return Status::Ok();
    Field address = item.Child("address");
    if (!address.present()) return address.Missing();
    IpAddress ip;
    MICROSEG_RETURN_IF_ERROR(DecodeIp(address, &ip));
    AddUnique(&node->ips, ip);
    return Status::Ok();
  });
}

Status DecodeService(const Field& doc, Service* service) {
  ObjectMeta meta;
  MICROSEG_RETURN_IF_ERROR(
      DecodeMetadata(doc, /*namespaced=*/true, NameRule::kDns1035Label, &meta));
  service->namespace_name = std::move(meta.namespace_name);
  service->name = std::move(meta.name);

  Field spec = doc.Child("spec");
  MICROSEG_RETURN_IF_ERROR(spec.ExpectMap());

  // spec.selector is a plain map. Absent or empty: endpoints are managed by
  // hand, and the Service selects no pods.
  Labels match_labels;
  MICROSEG_RETURN_IF_ERROR(DecodeLabels(spec.Child("selector"), &match_labels));
  LabelSelector decoded;
  for (const auto& [key, value] : match_labels.entries()) decoded.AddMatchLabel(key, value);
  if (!decoded.empty()) service->selector = std::move(decoded);

  MICROSEG_RETURN_IF_ERROR(spec.Child("ports").ForEachItem([&](const Field& item) -> Status {
    MICROSEG_RETURN_IF_ERROR(item.ExpectMap());
    ServicePort port;
    Field name = item.Child("name");
    MICROSEG_RETURN_IF_ERROR(name.ReadString(&port.name));
    if (!port.name.empty()) {
      if (std::string err = ValidateDnsLabel(port.name); !err.empty()) {
        return name.Error("invalid port name " + Quote(port.name) + ": " + err);
      }
    }
    MICROSEG_RETURN_IF_ERROR(DecodeProtocol(item.Child("protocol"), &port.protocol));
    Field number = item.Child("port");
    if (!number.present()) return number.Missing();
    MICROSEG_RETURN_IF_ERROR(DecodePortNumber(number, &port.port));
    port.target_port = port.port;  // the API server's default
    MICROSEG_RETURN_IF_ERROR(
        DecodePortOrName(item.Child("targetPort"), &port.target_port, &port.target_port_name));
    if (!port.target_port_name.empty()) port.target_port = 0;
    service->ports.push_back(std::move(port));
    return Status::Ok();
  }));

  auto add_cluster_ip = [&](const Field& field) -> Status {
    std::string text;
    MICROSEG_RETURN_IF_ERROR(field.ReadString(&text));
    if (text.empty() || text == "None") return Status::Ok();  // headless
    IpAddress ip;
    MICROSEG_RETURN_IF_ERROR(DecodeIp(field, &ip));
    AddUnique(&service->cluster_ips, ip);
    return Status::Ok();
  };
  MICROSEG_RETURN_IF_ERROR(add_cluster_ip(spec.Child("clusterIP")));
  return spec.Child("clusterIPs").ForEachItem(add_cluster_ip);
}

}  // namespace microseg
