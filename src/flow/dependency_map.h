// The application dependency map: groups of endpoints (see grouping.h) and
// the observed traffic between them.
//
// Pure functions of the aggregates, so the controller and the CLI draw the
// same map. Nodes and edges are sorted by id for stable output.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "flow/flow_aggregator.h"
#include "flow/grouping.h"

namespace microseg {

struct MapNode {
  std::string id, label, kind;
  size_t members = 0;  // distinct endpoints seen (a folded aggregate counts once)
};

struct MapEdge {
  std::string from, to;                           // node ids
  std::set<std::pair<Protocol, uint16_t>> ports;  // port 0: any (folded into `other`)
  uint64_t flows = 0, packets = 0, bytes = 0;
  std::array<uint64_t, kFlowVerdictCount> verdicts{};  // flows per FlowVerdict
  std::set<std::string> policies;                      // deciding policies (FlowDecision::policies)
};

struct DependencyMap {
  std::vector<MapNode> nodes;
  std::vector<MapEdge> edges;
};

DependencyMap BuildDependencyMap(const std::vector<AggregatedFlow>& flows, const GroupBy& by);

// {"nodes":[{"id","label","kind","members"}],"edges":[{"from","to","ports":["TCP/80"],
//  "flows","packets","bytes","verdicts":{"allow","deny","would-deny"},"policies":[...]}]}
nlohmann::json DependencyMapToJson(const DependencyMap& map);
// Graphviz: denied edges red, would-deny orange dashed, allowed black.
std::string DependencyMapToDot(const DependencyMap& map);

// "TCP/80"; port 0 is "TCP/*".
std::string PortName(Protocol protocol, uint16_t port);

}  // namespace microseg
