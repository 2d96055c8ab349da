// HardenedServer: an httplib server (plain, or TLS) that serves each
// connection through a ConnectionStream and a ConnectionGate, for the
// limits cpp-httplib 0.11 does not have (docs/CONTROLLER.md, Limits):
// a total deadline per request (and per TLS handshake), a byte cap on each
// request that holds for chunked and length-less bodies, and caps on the
// connections served at once, in all and per client IP. The server's own
// read/keep-alive timeouts and thread pool settings are replaced by these.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>

namespace microseg {

struct ServerLimits {
  size_t max_body_bytes = 8 << 20;  // larger bodies: 413, connection closed
  // The TLS handshake, and each request (line, headers, body), must arrive
  // within this, however the client paces its bytes.
  std::chrono::milliseconds request_timeout{30'000};
  // A kept-alive (or new, after its handshake) connection with no request
  // in this long is closed.
  std::chrono::milliseconds idle_timeout{5'000};
  std::chrono::milliseconds write_timeout{10'000};  // per write to a slow reader
  size_t max_connections = 64;         // served at once (a watch holds one); at least 1
  size_t max_connections_per_ip = 16;  // of those, from one client IP; at least 1
};

// Request headers may add this much to max_body_bytes before the request is
// refused (the cap counts bytes on the wire, chunk framing included).
inline constexpr size_t kRequestHeaderAllowance = 64 << 10;

// A plain server when `setup_tls` is empty, else an SSLServer whose context
// `setup_tls` configures. Check is_valid().
std::unique_ptr<httplib::Server> MakeHardenedServer(const ServerLimits& limits,
                                                    std::function<bool(SSL_CTX&)> setup_tls);

// Deepens the accept backlog of a bound hardened server (httplib binds with
// 5, which drops the SYNs of a burst of clients); a no-op for others.
void DeepenAcceptBacklog(httplib::Server* server);

}  // namespace microseg
