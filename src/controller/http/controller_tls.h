// The controller's TLS state: its CA and join tokens (DATA_DIR), and the
// server certificate issued for this start (docs/CONTROLLER.md, Security).
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "controller/http/hardened_server.h"
#include "controller/pki/certificate_authority.h"
#include "controller/pki/join_tokens.h"

namespace microseg {

struct ControllerTls {
  std::unique_ptr<pki::CertificateAuthority> ca;
  std::unique_ptr<pki::JoinTokenStore> join_tokens;
  pki::Credentials server;
  std::string ca_file;  // DATA_DIR/ca.crt
};

// Loads or creates DATA_DIR/ca.{key,crt}, opens DATA_DIR/join-tokens.json
// and issues a server certificate for `listen_host` and `extra_names`.
Result<std::unique_ptr<ControllerTls>> LoadControllerTls(const std::string& data_dir,
                                                         const std::string& listen_host,
                                                         const std::vector<std::string>& extra_names);

// A hardened server (hardened_server.h) within `limits`: HTTPS configured
// from `tls`, or plain HTTP when `tls` is null. Check is_valid().
std::unique_ptr<httplib::Server> MakeServer(const ControllerTls* tls, const ServerLimits& limits);

}  // namespace microseg
