#include <iostream>

#include "cli/command.h"
#include "cli/commands.h"

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
