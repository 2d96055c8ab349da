// An agent's credentials: enrollment with a join token, kept in a state
// directory (docs/CONTROLLER.md, Security).
//
//   STATE_DIR/ca.crt    the controller's CA: the only CA the agent trusts
//   STATE_DIR/node.key  the agent's private key (0600; made here, never sent)
//   STATE_DIR/node.crt  its certificate, issued by the controller
//
// Enrollment trusts the controller first, then sends the token: the CA comes
// from --ca-file, or is fetched from GET /api/v1/ca and must match the
// SHA-256 fingerprint given (--ca-sha256), as kubeadm's discovery hash.
// Every later request (enroll included) verifies the server against it.
#pragma once

#include <string>

#include "common/status.h"
#include "controller/client/api_client.h"

namespace microseg {

struct EnrollOptions {
  std::string server;     // "https://HOST:PORT"
  std::string node;       // must be the node the join token was made for
  std::string state_dir;  // created (0700) when absent
  std::string join_token;
  std::string ca_file;    // the CA to trust, or
  std::string ca_sha256;  // its fingerprint (64 hex digits, ':' allowed)
};

// Whether all three files exist (a previous enrollment), and their paths.
bool HasAgentCredentials(const std::string& state_dir);
ClientTls AgentCredentialFiles(const std::string& state_dir);

// Enrolls and writes the three files; returns them as a ClientTls.
Result<ClientTls> EnrollAgent(const EnrollOptions& options);

// The CA of `server`, fetched without trusting it and then checked against
// `sha256`: its PEM.
Result<std::string> FetchPinnedCa(const std::string& server, const std::string& sha256);

}  // namespace microseg
