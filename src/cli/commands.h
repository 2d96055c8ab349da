// Installers of the subcommands in the table (command_table.cc); one file each.
#pragma once

#include "cli/command.h"

namespace microseg::cli {

Action InstallCheck(CLI::App& app);
Action InstallExplain(CLI::App& app);
Action InstallMatrix(CLI::App& app);
Action InstallValidate(CLI::App& app);

}  // namespace microseg::cli
