#include "flow/dependency_map.h"

#include <map>
#include <sstream>

namespace microseg {
namespace {

std::string JoinPorts(const MapEdge& e, const char* sep) {
  std::string out;
  for (const auto& [protocol, port] : e.ports) {
    if (!out.empty()) out += sep;
    out += PortName(protocol, port);
  }
  return out;
}

// A DOT double-quoted string.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";  // a DOT line break
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

uint64_t Count(const MapEdge& e, FlowVerdict v) { return e.verdicts[static_cast<size_t>(v)]; }

}  // namespace

std::string PortName(Protocol protocol, uint16_t port) {
  return std::string(ProtocolName(protocol)) + "/" + (port ? std::to_string(port) : "*");
}

DependencyMap BuildDependencyMap(const std::vector<AggregatedFlow>& flows, const GroupBy& by) {
  struct NodeAcc {
    Group group;
    std::set<std::string> members;
  };
  std::map<std::string, NodeAcc> nodes;
  std::map<std::pair<std::string, std::string>, MapEdge> edges;
  auto node = [&](const EndpointInfo& e) -> const std::string& {
    Group g = GroupOf(e, by);
    NodeAcc& acc = nodes[g.id];
    acc.members.insert(e.DisplayName());
    if (acc.group.id.empty()) acc.group = std::move(g);
    return acc.group.id;
  };
  for (const AggregatedFlow& f : flows) {
    const std::string& from = node(*f.src);
    const std::string& to = node(*f.dst);
    MapEdge& e = edges[{from, to}];
    e.from = from;
    e.to = to;
    e.ports.insert({f.protocol, f.port});
    e.flows += f.flows;
    e.packets += f.packets;
    e.bytes += f.bytes;
    e.verdicts[static_cast<size_t>(f.verdict)] += f.flows;
    if (f.decision) e.policies.insert(f.decision->policies.begin(), f.decision->policies.end());
  }
  DependencyMap map;
  for (auto& [id, acc] : nodes) {
    map.nodes.push_back({acc.group.id, acc.group.label, acc.group.kind, acc.members.size()});
  }
  for (auto& [key, e] : edges) map.edges.push_back(std::move(e));
  return map;
}

nlohmann::json DependencyMapToJson(const DependencyMap& map) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const MapNode& n : map.nodes) {
    nodes.push_back({{"id", n.id}, {"label", n.label}, {"kind", n.kind}, {"members", n.members}});
  }
  nlohmann::json edges = nlohmann::json::array();
  for (const MapEdge& e : map.edges) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& [protocol, port] : e.ports) ports.push_back(PortName(protocol, port));
    nlohmann::json verdicts = nlohmann::json::object();
    for (FlowVerdict v : kAllFlowVerdicts) verdicts[std::string(FlowVerdictName(v))] = Count(e, v);
    edges.push_back({{"from", e.from},
                     {"to", e.to},
                     {"ports", ports},
                     {"flows", e.flows},
                     {"packets", e.packets},
                     {"bytes", e.bytes},
                     {"verdicts", verdicts},
                     {"policies", e.policies}});
  }
  return {{"nodes", nodes}, {"edges", edges}};
}

std::string DependencyMapToDot(const DependencyMap& map) {
  std::ostringstream out;
  out << "digraph microseg {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (const MapNode& n : map.nodes) {
    // Hosts and VMs (alone or grouped by label) look different from pods.
    bool host = n.id.starts_with("workload") || n.id.starts_with("node");
    const char* shape = n.kind == "external" ? "ellipse" : host ? "box3d" : "box";
    out << "  " << Quote(n.id)
        << " [label=" << Quote(n.label + "\n" + n.kind + " x" + std::to_string(n.members))
        << ", shape=" << shape << "];\n";
  }
  for (const MapEdge& e : map.edges) {
    std::string style;
    if (Count(e, FlowVerdict::kDeny)) {
      style = ", color=red, fontcolor=red";
    } else if (Count(e, FlowVerdict::kWouldDeny)) {
      style = ", color=orange, fontcolor=orange, style=dashed";
    }
    out << "  " << Quote(e.from) << " -> " << Quote(e.to)
        << " [label=" << Quote(JoinPorts(e, ",") + "\n" + std::to_string(e.flows) + " flows")
        << style << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace microseg
