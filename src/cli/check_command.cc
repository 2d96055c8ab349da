// `microseg check`: one verdict, and which tier, policy and rule decided.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/engine_source.h"
#include "cli/flow_args.h"

namespace microseg::cli {

Action InstallCheck(CLI::App& app) {
  auto args = std::make_shared<FlowArgs>();
  AddFlowOptions(app, *args);
  return [args]() {
    auto flow = ResolveFlow(*args);
    if (!flow.ok()) return Fail(flow.status().message());
    Verdict v = flow->engine->Check(flow->src, flow->dst, flow->protocol, flow->port);
    if (args->output == "json") {
      std::cout << VerdictJson(*flow, v).dump(2) << "\n";
      return 0;
    }
    std::cout << flow->src.DisplayName() << " -> " << flow->dst.DisplayName() << " "
              << ProtocolName(flow->protocol) << "/" << flow->port << ": " << v.Name() << "\n"
              << "  egress  at " << flow->src.DisplayName() << ": " << DirectionSummary(v.egress)
              << "\n      " << v.egress.reason << "\n"
              << "  ingress at " << flow->dst.DisplayName() << ": " << DirectionSummary(v.ingress)
              << "\n      " << v.ingress.reason << "\n";
    return 0;
  };
}

}  // namespace microseg::cli
