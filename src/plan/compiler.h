// The dataplane compiler: policy for one enforcement point -> Plan.
//
// Compile() is a pure function of its input: the same cluster state yields
// the same Plan whatever sequence of changes led to it (class ids are hashes
// of signatures built from rule names, never from counters), which is what
// lets the dataplane apply a plain diff of two plans.
//
// Named ports: in ingress rules they resolve against the local (destination)
// endpoint; in egress rules against each destination peer, so the peer's
// resolution is part of its class signature. An egress rule whose peer is
// "any" or an address block matches a named port on every known endpoint
// inside it that declares the port (as PolicyEngine::Check does, which
// resolves the destination address to its owner): those endpoints become
// hosts of the peer map with their resolution. Other addresses never match
// a named port.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "policy/policy_engine.h"

namespace microseg {

// Everything the compiler reads, so tests can build it without an engine.
struct CompileInput {
  struct Local {
    Endpoint endpoint;  // one per IP, as PolicyEngine::LocalEndpoints returns them
    PolicyEngine::DirectionRules ingress, egress;
  };
  std::string node;
  std::vector<Local> locals;
  // Port that `name`/`protocol` resolves to on `endpoint`, if any.
  std::function<std::optional<uint16_t>(const Endpoint&, const std::string&, Protocol)>
      resolve_named_port;
  // Every address of an endpoint (pod or workload) that declares port
  // `name`/`protocol`, with the port it resolves to there; null: none.
  struct NamedPortHolder {
    IpAddress ip;
    uint16_t port = 0;
  };
  std::function<std::vector<NamedPortHolder>(const std::string&, Protocol)> named_port_holders;
};

// Reads what node `node` enforces from `engine` (LocalEndpoints + RulesFor).
CompileInput GatherInput(const PolicyEngine& engine, const std::string& node);

Plan Compile(const CompileInput& input, const PlanOptions& options);

inline Plan CompileForNode(const PolicyEngine& engine, const std::string& node,
                           const PlanOptions& options) {
  return Compile(GatherInput(engine, node), options);
}

}  // namespace microseg
