// The CLI is a table of subcommands that drives both help and dispatch.
//
// Each subcommand lives in its own file and exposes one Register function
// that adds its CLI11 sub-app and returns the action to run when chosen.
// Actions return the process exit code: 0 when the command ran, 1 on bad
// input or usage (with a message on stderr).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace microseg::cli {

using Action = std::function<int()>;

struct CommandSpec {
  const char* name;
  const char* summary;
  // Adds options to `app` (already named and described) and returns the
  // action; the options' storage must outlive the call (capture shared_ptrs).
  Action (*install)(CLI::App& app);
};

// The table, in help order. Defined in command_table.cc.
const std::vector<CommandSpec>& Commands();

// Parses argv, runs the chosen command, returns the exit code.
int Main(int argc, char** argv);

}  // namespace microseg::cli
