// Subcommands of the dataplane: `agent` (enforce on this host) and `lab`
// (a multi-node cluster in network namespaces). Registered in
// command_table.cc.
#pragma once

#include "cli/command.h"

namespace microseg::cli {

Action InstallAgent(CLI::App& app);
Action InstallLab(CLI::App& app);

}  // namespace microseg::cli
