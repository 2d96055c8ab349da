// How CLI commands find and talk to a controller, kubectl style.
//
// Server: --server, else $MICROSEG_SERVER, else `server:` in the config
// file, else https://127.0.0.1:7443 (no scheme means https). Token:
// --token-file, else $MICROSEG_TOKEN, else `token:` (or `token-file:`) in
// the config file. The CA that signed the controller's certificate:
// --ca-file, else $MICROSEG_CA_FILE, else `ca-file:`, else
// ~/.microseg/ca.crt when it exists, else the system's roots. The config
// file is --config, else $MICROSEG_CONFIG, else ~/.microseg/config, a YAML
// map:
//   server: https://10.0.0.5:7443
//   token: 3f2a...
//   ca-file: /etc/microseg/ca.crt
//   client-cert: ...    # optional: a client certificate of the CA (mTLS)
//   client-key: ...
// A missing config file is not an error; a malformed one is.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "common/status.h"
#include "controller/api/apply_request.h"
#include "controller/client/api_client.h"
#include "model/object_set.h"

namespace microseg::cli {

struct ClientConfig {
  std::string server;  // "https://HOST:PORT"
  std::string token;
  ClientTls tls;  // for https://
};

Result<ClientConfig> ResolveClientConfig(const ClientFlags& flags);

// Every object the controller holds, decoded as offline ingest decodes
// manifests (for check, explain and matrix with --server).
Result<ObjectSet> FetchObjectSet(const ClientConfig& config);

// The manifest texts named on a command line: files, directories
// (recursively: *.yaml, *.yml, *.json, sorted) and "-" for stdin.
Result<std::vector<ManifestSource>> ReadManifestFiles(const std::vector<std::string>& paths);

}  // namespace microseg::cli
