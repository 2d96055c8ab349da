// Installer of `microseg kube-sync` (kube_sync_command.cc).
#pragma once

#include "cli/command.h"

namespace microseg::cli {

Action InstallKubeSync(CLI::App& app);

}  // namespace microseg::cli
