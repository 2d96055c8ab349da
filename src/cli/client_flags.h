// The flags that name a controller and its credentials (client_config.h
// resolves them). Apart so that commands can carry them without pulling in
// the API's request types.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace microseg::cli {

struct ClientFlags {
  std::string server;
  std::string token_file;
  std::string config;
  std::string ca_file;
};

// Adds --server, --token-file, --config and --ca-file to `app`.
void AddClientFlags(CLI::App& app, ClientFlags* flags);

}  // namespace microseg::cli
