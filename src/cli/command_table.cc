#include <iostream>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/controller_commands.h"
#include "cli/dataplane_commands.h"
#include "cli/flow_commands.h"
#include "cli/kube_commands.h"

namespace microseg::cli {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"check", "Is this flow allowed? One verdict with the deciding tier, policy and rule",
       InstallCheck},
      {"explain", "Trace every policy that selects the source or destination, rule by rule",
       InstallExplain},
      {"matrix", "Truth table of every pair of endpoints for one port and protocol",
       InstallMatrix},
      {"validate", "Load manifests and report every error, as an apply would", InstallValidate},
      // Enforcement.
      {"agent", "Enforce policy on this host with nftables (from manifests or a controller)",
       InstallAgent},
      {"lab", "A cluster in network namespaces with real agents: up | probe | down", InstallLab},
      // Control plane.
      {"controller", "Serve the API: inventory and policy, persisted, watched by agents",
       InstallController},
      {"apply", "Create or update objects on the controller (all-or-nothing)", InstallApply},
      {"get", "List or show objects held by the controller", InstallGet},
      {"delete", "Delete objects from the controller", InstallDelete},
      {"kube-sync", "Mirror a Kubernetes cluster's objects into the controller", InstallKubeSync},
      {"token", "Join tokens with which agents enroll for a certificate: create | list",
       InstallToken},
      // Visibility.
      {"flows", "Query aggregated flow records", InstallFlows},
      {"map", "Application dependency map from flows (JSON or Graphviz DOT)", InstallMap},
      {"recommend", "Least-privilege policy from observed flows, verified in the model",
       InstallRecommend},
      {"ui", "URL of the controller's web UI (the dependency map), with the token", InstallUi},
  };
  return kCommands;
}

int Main(int argc, char** argv) {
  CLI::App app{"microseg: one policy model for pods, services, namespaces, hosts, VMs and IP ranges"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "microseg 0.1.0");
  Action chosen;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.summary);
    Action action = spec.install(*sub);
    sub->callback([&chosen, action] { chosen = action; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version go to stdout with exit 0; usage errors exit 1.
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  return chosen ? chosen() : 1;
}

}  // namespace microseg::cli
