// `microseg explain`: every rule of every policy that selects either end,
// in evaluation order, with why it did or did not match.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/engine_source.h"
#include "cli/flow_args.h"

namespace microseg::cli {
namespace {

void PrintDirection(const Trace& trace, Direction d, const Endpoint& at,
                    const DirectionVerdict& v) {
  std::cout << "\n" << DirectionName(d) << " at " << at.DisplayName() << ":\n";
  bool any = false;
  for (const TraceStep& step : trace.steps) {
    if (step.direction != d) continue;
    any = true;
    std::cout << "  [" << TierName(step.tier) << "] " << step.policy_kind << " " << step.policy;
    if (!step.rule.empty()) std::cout << " " << step.rule;
    std::cout << ": " << (step.matched ? "match" : "no match") << " - " << step.detail << "\n";
  }
  if (!any) std::cout << "  (no policy selects " << at.DisplayName() << ")\n";
  std::cout << "  => " << DirectionSummary(v) << ": " << v.reason << "\n";
}

}  // namespace

Action InstallExplain(CLI::App& app) {
  auto args = std::make_shared<FlowArgs>();
  AddFlowOptions(app, *args);
  return [args]() {
    auto flow = ResolveFlow(*args);
    if (!flow.ok()) return Fail(flow.status().message());
    Trace trace;
    Verdict v = flow->engine->Check(flow->src, flow->dst, flow->protocol, flow->port, &trace);
    if (args->output == "json") {
      nlohmann::ordered_json j = VerdictJson(*flow, v);
      j["trace"] = nlohmann::ordered_json::array();
      for (const TraceStep& s : trace.steps) {
        j["trace"].push_back({{"direction", DirectionName(s.direction)},
                              {"tier", TierName(s.tier)},
                              {"policyKind", s.policy_kind},
                              {"policy", s.policy},
                              {"rule", s.rule},
                              {"matched", s.matched},
                              {"detail", s.detail}});
      }
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::cout << flow->src.DisplayName() << " -> " << flow->dst.DisplayName() << " "
              << ProtocolName(flow->protocol) << "/" << flow->port << ": " << v.Name() << "\n";
    PrintDirection(trace, Direction::kEgress, flow->src, v.egress);
    PrintDirection(trace, Direction::kIngress, flow->dst, v.ingress);
    return 0;
  };
}

}  // namespace microseg::cli
