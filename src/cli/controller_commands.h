// Installers of the controller and its client commands (command_table.cc).
#pragma once

#include "cli/command.h"

namespace microseg::cli {

Action InstallController(CLI::App& app);  // microseg controller --listen --data-dir --store
Action InstallApply(CLI::App& app);       // microseg apply -f PATH... --server URL
Action InstallGet(CLI::App& app);         // microseg get KIND [NAME] [-n NS] [-o FORMAT]
Action InstallDelete(CLI::App& app);      // microseg delete KIND NAME [-n NS] | -f PATH...
Action InstallUi(CLI::App& app);          // microseg ui: the web UI's URL with the token
Action InstallToken(CLI::App& app);       // microseg token create --node NAME | list

}  // namespace microseg::cli
