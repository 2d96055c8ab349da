// Where a command gets its policy state: manifests given with -f, or,
// without -f, the controller (kubectl style: --server, $MICROSEG_SERVER, the
// config file; see client_config.h).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "common/status.h"
#include "policy/policy_engine.h"

namespace microseg::cli {

// Loads manifests (files, directories, "-") into a fresh engine. Warnings
// (skipped kinds) go to stderr; errors come back as the Status.
Result<std::unique_ptr<PolicyEngine>> LoadEngine(const std::vector<std::string>& paths);

struct PolicyInput {
  std::vector<std::string> paths;  // -f; empty: ask the controller
  ClientFlags client;
};

// Adds -f and the client flags (--server, --token-file, --config).
void AddPolicyInputOptions(CLI::App& app, PolicyInput* input);

// Manifests when -f was given, else every object the controller holds.
Result<std::unique_ptr<PolicyEngine>> LoadEngine(const PolicyInput& input);

// Prints "error: <message>" to stderr and returns exit code 1.
int Fail(const std::string& message);

}  // namespace microseg::cli
