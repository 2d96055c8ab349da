// Installers of the flow visibility subcommands (src/flow): `flows`, `map`
// and `recommend`, one file each.
#pragma once

#include "cli/command.h"

namespace microseg::cli {

Action InstallFlows(CLI::App& app);
Action InstallMap(CLI::App& app);
Action InstallRecommend(CLI::App& app);

}  // namespace microseg::cli
