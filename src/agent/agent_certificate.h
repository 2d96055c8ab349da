// An agent's certificate for talking to its controller (docs/CONTROLLER.md,
// "Security"): the one kept in the state directory by an earlier
// enrollment, or a new one enrolled now with a join token.
#pragma once

#include <string>

#include "common/status.h"
#include "controller/client/api_client.h"

namespace microseg {

struct AgentCertificateOptions {
  std::string controller;  // URL; "https://" is assumed without a scheme
  std::string node;
  std::string state_dir;
  std::string ca_file;          // the CA to trust when enrolling, or
  std::string ca_sha256;        // its fingerprint
  std::string join_token;       // or
  std::string join_token_file;  // a file holding it
};

struct AgentCertificate {
  std::string server;  // the controller, normalized ("https://HOST:PORT")
  ClientTls tls;       // the CA, certificate and key in state_dir
  bool enrolled_now = false;
};

// Uses the certificate in state_dir when there is one (it must name
// `node`: an agent never runs as another node's identity by accident),
// else enrolls with the join token.
Result<AgentCertificate> LoadOrEnrollCertificate(const AgentCertificateOptions& options);

}  // namespace microseg
