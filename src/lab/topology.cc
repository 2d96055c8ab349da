#include "lab/topology.h"

#include <algorithm>
#include <map>
#include <set>

#include "lab/socket_address.h"

namespace microseg::lab {
namespace {

std::string FabricIp(size_t member) { return "100.64.255." + std::to_string(member + 1); }

std::vector<std::string> V4(const std::vector<IpAddress>& ips) {
  std::vector<std::string> out;
  for (const IpAddress& ip : ips) {
    if (ip.is_v4()) out.push_back(ip.ToString());
  }
  return out;
}

std::vector<std::string> V6(const std::vector<IpAddress>& ips) {
  std::vector<std::string> out;
  for (const IpAddress& ip : ips) {
    if (!ip.is_v4()) out.push_back(ip.ToString());
  }
  return out;
}

std::string First(const std::vector<std::string>& v) { return v.empty() ? "" : v.front(); }

bool SamePort(const LabPort& a, const LabPort& b) { return a.protocol == b.protocol && a.port == b.port; }

// `declared` then each extra port not among them.
std::vector<LabPort> WithExtras(std::vector<LabPort> declared, const std::vector<LabPort>& extras) {
  for (const LabPort& e : extras) {
    if (std::none_of(declared.begin(), declared.end(), [&](const LabPort& d) { return SamePort(d, e); })) {
      declared.push_back(e);
    }
  }
  return declared;
}

std::vector<LabPort> Ports(const std::vector<ContainerPort>& ports, const std::vector<LabPort>& extras) {
  std::vector<LabPort> out;
  for (const ContainerPort& cp : ports) out.push_back({cp.protocol, cp.port});
  return WithExtras(std::move(out), extras);
}

nlohmann::json PortsJson(const std::vector<LabPort>& ports) {
  nlohmann::json j = nlohmann::json::array();
  for (const LabPort& lp : ports) j.push_back({{"protocol", ProtocolName(lp.protocol)}, {"port", lp.port}});
  return j;
}

std::vector<LabPort> PortsFromJson(const nlohmann::json& j) {
  std::vector<LabPort> out;
  for (const auto& port : j) {
    auto proto = ParseProtocol(port.value("protocol", "TCP"));
    out.push_back({proto.value_or(Protocol::kTCP), port.value("port", uint16_t{0})});
  }
  return out;
}

}  // namespace

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

std::vector<LabEndpoint> LabTopology::Endpoints() const {
  std::vector<LabEndpoint> out;
  for (const LabPod& p : pods) out.push_back({p.key, p.netns, p.ip, p.ports, p.ip6});
  for (const LabWorkload& w : workloads) out.push_back({w.key, w.netns, First(w.ips), w.ports, First(w.ips6)});
  for (const LabNode& n : nodes) {
    if (n.node_ip.empty()) continue;
    // A hostNetwork pod on this address listens for its node too: one socket.
    std::vector<LabPort> ports = n.ports;
    for (const LabWorkload& w : workloads) {
      if (w.netns == n.netns && First(w.ips) == n.node_ip) ports = WithExtras(std::move(ports), w.ports);
    }
    out.push_back({"node/" + n.name, n.netns, n.node_ip, std::move(ports), n.node_ip6});
  }
  std::sort(out.begin(), out.end(), [](const LabEndpoint& a, const LabEndpoint& b) { return a.key < b.key; });
  return out;
}

LabTopology PlanTopology(const std::string& lab_name, const ObjectSet& objects, const LabExtras& extras) {
  LabTopology t;
  t.name = lab_name;
  t.fabric_netns = t.Prefix() + "fabric";

  // Workloads first: their hosts are enforcement points like the nodes.
  std::vector<const Workload*> workloads;
  for (const Workload& w : objects.workloads) workloads.push_back(&w);
  std::sort(workloads.begin(), workloads.end(),
            [](const Workload* a, const Workload* b) { return a->name < b->name; });
  std::vector<const Workload*> hosted, unmanaged;
  for (const Workload* w : workloads) {
    std::string key = "workload/" + w->name;
    // The probe uses the first address, as PolicyEngine::Resolve does.
    if (w->ips.empty() || !w->ips.front().is_v4()) {
      t.skipped.push_back(key + ": needs an IPv4 first address");
    } else if (w->unmanaged) {
      unmanaged.push_back(w);
    } else if (!w->host.empty()) {
      hosted.push_back(w);
    } else {
      t.skipped.push_back(key + ": needs spec.host (an agent) or unmanaged: true");
    }
  }

  std::set<std::string> node_names;
  for (const Node& n : objects.nodes) node_names.insert(n.name);
  for (const Pod& p : objects.pods) {
    if (!p.node_name.empty()) node_names.insert(p.node_name);
  }
  for (const Workload* w : hosted) node_names.insert(w->host);
  std::map<std::string, const Node*> node_objects;
  for (const Node& n : objects.nodes) node_objects[n.name] = &n;
  size_t member = 0;  // fabric veth index: nodes, then unmanaged workloads
  for (const std::string& n : node_names) {
    LabNode ln;
    ln.name = n;
    ln.netns = t.Prefix() + "n" + std::to_string(member);
    ln.fabric_ip = FabricIp(member);
    // The Node H itself is local to agent H: its addresses are the host's own.
    if (auto it = node_objects.find(n); it != node_objects.end()) {
      ln.ips = V4(it->second->ips);
      ln.ips6 = V6(it->second->ips);
    }
    if (!ln.ips.empty()) {
      ln.node_ip = ln.ips.front();
      ln.node_ip6 = First(ln.ips6);
      ln.ports = extras.ports;
    }
    t.nodes.push_back(std::move(ln));
    ++member;
  }

  std::vector<const Pod*> pods;
  for (const Pod& p : objects.pods) pods.push_back(&p);
  std::sort(pods.begin(), pods.end(), [](const Pod* a, const Pod* b) { return a->Key() < b->Key(); });
  int j = 0;
  std::vector<std::pair<const Pod*, const IpAddress*>> host_network;  // with the IPv4 probed
  for (const Pod* p : pods) {
    const IpAddress* v4 = nullptr;
    for (const IpAddress& ip : p->ips) {
      if (ip.is_v4() && !v4) v4 = &ip;
    }
    if (p->node_name.empty() || !v4 || !p->HoldsIps()) {
      t.skipped.push_back(p->Key() + ": needs spec.nodeName and an IPv4 pod IP");
      continue;
    }
    if (p->host_network) {
      host_network.push_back({p, v4});
      continue;
    }
    LabPod lp;
    lp.key = p->Key();
    lp.node = p->node_name;
    lp.netns = t.Prefix() + "p" + std::to_string(j);
    lp.ip = v4->ToString();
    lp.index = j++;
    lp.ports = Ports(p->ports, extras.ports);
    lp.ip6 = First(V6(p->ips));
    t.pods.push_back(std::move(lp));
  }

  for (const Workload* w : hosted) {
    LabNode& host = *std::find_if(t.nodes.begin(), t.nodes.end(),
                                  [&](const LabNode& n) { return n.name == w->host; });
    LabWorkload lw{"workload/" + w->name, host.name, host.netns, "", V4(w->ips), Ports(w->ports, extras.ports),
                   V6(w->ips)};
    host.ips.insert(host.ips.end(), lw.ips.begin(), lw.ips.end());
    host.ips6.insert(host.ips6.end(), lw.ips6.begin(), lw.ips6.end());
    t.workloads.push_back(std::move(lw));
  }
  // A hostNetwork pod is its node: it listens in the node's namespace, on
  // its address, which the node holds (usually already: a Node's own IP).
  for (const auto& [p, v4] : host_network) {
    LabNode& host = *std::find_if(t.nodes.begin(), t.nodes.end(),
                                  [&](const LabNode& n) { return n.name == p->node_name; });
    std::string ip = v4->ToString();
    if (std::find(host.ips.begin(), host.ips.end(), ip) == host.ips.end()) host.ips.push_back(ip);
    std::vector<std::string> ips6 = V6(p->ips);
    for (const std::string& ip6 : ips6) {
      if (std::find(host.ips6.begin(), host.ips6.end(), ip6) == host.ips6.end()) host.ips6.push_back(ip6);
    }
    t.workloads.push_back({p->Key(), host.name, host.netns, "", {ip}, Ports(p->ports, extras.ports), ips6});
  }
  int k = 0;
  for (const Workload* w : unmanaged) {
    t.workloads.push_back({"workload/" + w->name, "", t.Prefix() + "u" + std::to_string(k++),
                           FabricIp(member++), V4(w->ips), Ports(w->ports, extras.ports), V6(w->ips)});
  }
  for (const std::string& address : extras.external_addresses) {
    bool v4 = !IsIpv6Text(address);
    t.workloads.push_back({address, "", t.Prefix() + "u" + std::to_string(k++), FabricIp(member++),
                           v4 ? std::vector<std::string>{address} : std::vector<std::string>{}, extras.ports,
                           v4 ? std::vector<std::string>{} : std::vector<std::string>{address}});
  }
  std::sort(t.workloads.begin(), t.workloads.end(),
            [](const LabWorkload& a, const LabWorkload& b) { return a.key < b.key; });
  return t;
}

nlohmann::json LabTopology::ToJson() const {
  nlohmann::json j;
  j["name"] = name;
  j["fabric_netns"] = fabric_netns;
  for (const LabNode& n : nodes) {
    j["nodes"].push_back({{"name", n.name}, {"netns", n.netns}, {"fabric_ip", n.fabric_ip}, {"ips", n.ips},
                          {"node_ip", n.node_ip}, {"ports", PortsJson(n.ports)},
                          {"ips6", n.ips6}, {"node_ip6", n.node_ip6}});
  }
  for (const LabPod& p : pods) {
    j["pods"].push_back({{"key", p.key}, {"node", p.node}, {"netns", p.netns}, {"ip", p.ip},
                         {"index", p.index}, {"ports", PortsJson(p.ports)}, {"ip6", p.ip6}});
  }
  for (const LabWorkload& w : workloads) {
    j["workloads"].push_back({{"key", w.key}, {"host", w.host}, {"netns", w.netns},
                              {"fabric_ip", w.fabric_ip}, {"ips", w.ips}, {"ports", PortsJson(w.ports)},
                              {"ips6", w.ips6}});
  }
  return j;
}

LabTopology LabTopology::FromJson(const nlohmann::json& j) {
  LabTopology t;
  t.name = j.value("name", "");
  t.fabric_netns = j.value("fabric_netns", "");
  for (const auto& n : j.value("nodes", nlohmann::json::array())) {
    LabNode ln;
    ln.name = n.value("name", "");
    ln.netns = n.value("netns", "");
    ln.fabric_ip = n.value("fabric_ip", "");
    ln.ips = n.value("ips", std::vector<std::string>{});
    ln.node_ip = n.value("node_ip", "");
    ln.ports = PortsFromJson(n.value("ports", nlohmann::json::array()));
    ln.ips6 = n.value("ips6", std::vector<std::string>{});
    ln.node_ip6 = n.value("node_ip6", "");
    t.nodes.push_back(std::move(ln));
  }
  for (const auto& p : j.value("pods", nlohmann::json::array())) {
    t.pods.push_back({p.value("key", ""), p.value("node", ""), p.value("netns", ""), p.value("ip", ""),
                      p.value("index", 0), PortsFromJson(p.value("ports", nlohmann::json::array())),
                      p.value("ip6", "")});
  }
  for (const auto& w : j.value("workloads", nlohmann::json::array())) {
    LabWorkload lw{w.value("key", ""), w.value("host", ""), w.value("netns", ""), w.value("fabric_ip", ""),
                   w.value("ips", std::vector<std::string>{}),
                   PortsFromJson(w.value("ports", nlohmann::json::array())),
                   w.value("ips6", std::vector<std::string>{})};
    if (!lw.ips.empty() || !lw.ips6.empty()) t.workloads.push_back(std::move(lw));
  }
  return t;
}

}  // namespace microseg::lab
