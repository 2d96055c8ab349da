#include "lab/topology.h"

#include <algorithm>
#include <set>

namespace microseg::lab {

const LabPod* LabTopology::FindPod(const std::string& key) const {
  for (const LabPod& p : pods) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

const LabNode* LabTopology::FindNode(const std::string& node_name) const {
  for (const LabNode& n : nodes) {
    if (n.name == node_name) return &n;
  }
  return nullptr;
}

LabTopology PlanTopology(const std::string& lab_name, const ObjectSet& objects) {
  LabTopology t;
  t.name = lab_name;
  t.fabric_netns = t.Prefix() + "fabric";
  std::set<std::string> node_names;
  for (const Node& n : objects.nodes) node_names.insert(n.name);
  for (const Pod& p : objects.pods) {
    if (!p.node_name.empty()) node_names.insert(p.node_name);
  }
  int i = 0;
  for (const std::string& n : node_names) {
    t.nodes.push_back({n, t.Prefix() + "n" + std::to_string(i), "100.64.255." + std::to_string(i + 1)});
    ++i;
  }
  std::vector<const Pod*> pods;
  for (const Pod& p : objects.pods) pods.push_back(&p);
  std::sort(pods.begin(), pods.end(), [](const Pod* a, const Pod* b) { return a->Key() < b->Key(); });
  int j = 0;
  for (const Pod* p : pods) {
    const IpAddress* v4 = nullptr;
    for (const IpAddress& ip : p->ips) {
      if (ip.is_v4() && !v4) v4 = &ip;
    }
    if (p->node_name.empty() || !v4 || p->host_network || !p->HoldsIps()) {
      t.skipped.push_back(p->Key() + ": needs spec.nodeName, an IPv4 pod IP, and no hostNetwork");
      continue;
    }
    LabPod lp;
    lp.key = p->Key();
    lp.node = p->node_name;
    lp.netns = t.Prefix() + "p" + std::to_string(j);
    lp.ip = v4->ToString();
    lp.index = j++;
    for (const ContainerPort& cp : p->ports) lp.ports.push_back({cp.protocol, cp.port});
    t.pods.push_back(std::move(lp));
  }
  return t;
}

nlohmann::json LabTopology::ToJson() const {
  nlohmann::json j;
  j["name"] = name;
  j["fabric_netns"] = fabric_netns;
  for (const LabNode& n : nodes) {
    j["nodes"].push_back({{"name", n.name}, {"netns", n.netns}, {"fabric_ip", n.fabric_ip}});
  }
  for (const LabPod& p : pods) {
    nlohmann::json ports = nlohmann::json::array();
    for (const LabPort& lp : p.ports) ports.push_back({{"protocol", ProtocolName(lp.protocol)}, {"port", lp.port}});
    j["pods"].push_back({{"key", p.key}, {"node", p.node}, {"netns", p.netns}, {"ip", p.ip},
                         {"index", p.index}, {"ports", ports}});
  }
  return j;
}

LabTopology LabTopology::FromJson(const nlohmann::json& j) {
  LabTopology t;
  t.name = j.value("name", "");
  t.fabric_netns = j.value("fabric_netns", "");
  for (const auto& n : j.value("nodes", nlohmann::json::array())) {
    t.nodes.push_back({n.value("name", ""), n.value("netns", ""), n.value("fabric_ip", "")});
  }
  for (const auto& p : j.value("pods", nlohmann::json::array())) {
    LabPod lp{p.value("key", ""), p.value("node", ""), p.value("netns", ""), p.value("ip", ""),
              p.value("index", 0), {}};
    for (const auto& port : p.value("ports", nlohmann::json::array())) {
      auto proto = ParseProtocol(port.value("protocol", "TCP"));
      lp.ports.push_back({proto.value_or(Protocol::kTCP), port.value("port", uint16_t{0})});
    }
    t.pods.push_back(std::move(lp));
  }
  return t;
}

}  // namespace microseg::lab
