// The TLS settings of the controller's HTTPS server: its certificate, TLS
// 1.2 or later (1.2 with AEAD, forward-secret suites only), and client certificates verified against the CA when a
// client presents one (agents must; admin clients may, and use the bearer
// token). A client certificate that does not verify ends the handshake.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "controller/pki/certificate_authority.h"

namespace microseg::pki {

// The TLS 1.2 suites offered: ECDHE with AES-GCM or ChaCha20-Poly1305.
inline constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Fills `ctx` (from httplib::SSLServer's setup callback).
Status ConfigureServerContext(SSL_CTX* ctx, const Credentials& server, X509* ca);

// The names a server certificate for `listen_host` carries: the host itself
// (for a wildcard: every local interface address), the loopback addresses,
// "localhost", this machine's hostname, then `extra` (--tls-san).
std::vector<std::string> ServerNames(const std::string& listen_host,
                                     const std::vector<std::string>& extra);

// The node an agent's verified client certificate names on this connection;
// "" when none was presented or it names no node.
std::string PeerNode(const SSL* ssl);

}  // namespace microseg::pki
