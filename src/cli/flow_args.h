// Options shared by `check` and `explain`: one flow, named by its ends.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/engine_source.h"
#include "policy/policy_engine.h"

namespace microseg::cli {

struct FlowArgs {
  PolicyInput input;
  std::string from, to;
  int port = 0;
  std::string protocol = "TCP";
  std::string output = "text";
};

void AddFlowOptions(CLI::App& app, FlowArgs& args);

// A loaded engine plus the resolved flow, or an error message.
struct ResolvedFlow {
  std::unique_ptr<PolicyEngine> engine;
  Endpoint src, dst;
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;
};
Result<ResolvedFlow> ResolveFlow(const FlowArgs& args);

// The machine-readable verdict of `check -o json` (and the head of explain's).
nlohmann::ordered_json VerdictJson(const ResolvedFlow& flow, const Verdict& verdict);
nlohmann::ordered_json DirectionJson(const Endpoint& at, const DirectionVerdict& v);
// "allow (application: NetworkPolicy x/allow-a ingress[0])".
std::string DirectionSummary(const DirectionVerdict& v);

}  // namespace microseg::cli
