// Where a command gets its policy state: manifests given with -f.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "policy/policy_engine.h"

namespace microseg::cli {

// Loads manifests (files, directories, "-") into a fresh engine. Warnings
// (skipped kinds) go to stderr; errors come back as the Status.
Result<std::unique_ptr<PolicyEngine>> LoadEngine(const std::vector<std::string>& paths);

// Prints "error: <message>" to stderr and returns exit code 1.
int Fail(const std::string& message);

}  // namespace microseg::cli
