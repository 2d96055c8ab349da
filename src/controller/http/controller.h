// Controller: the HTTP/JSON API server over a Store.
//
// Start() opens the data directory (lock, admin token), the store, binds
// the listen address and serves on background threads until Stop() or
// destruction. Every request but GET /healthz needs
// "Authorization: Bearer <token>". Routes (docs/CONTROLLER.md):
//   POST   /api/v1/apply                   manifests in; all-or-nothing
//   POST   /api/v1/delete                  manifests in; all-or-nothing
//   GET    /api/v1/objects[/KIND[/NAME]]   ?namespace=NS
//   DELETE /api/v1/objects/KIND/NAME       ?namespace=NS
//   GET    /api/v1/watch                   ?resourceVersion=N&kind=K&namespace=NS
//   GET    /api/v1/span                    ?node=NODE: the objects NODE's agent needs
//   POST   /api/v1/agents/NODE/status      an agent's report (kept in memory)
//   GET    /api/v1/agents[/NODE]           the last reports
//   GET    /api/v1/map[/flows], /ui/       the dependency map, and the web UI (ui_handlers.h;
//                                          /ui/ needs no token)
// Thread-safe; each watch holds one server thread while it streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "microseg/store.h"

namespace microseg {

struct ControllerOptions {
  std::string listen = "127.0.0.1:7443";  // HOST:PORT; port 0 picks a free one
  std::string data_dir;                   // required: token, lock, and state.db for sqlite
  std::string store = "sqlite";           // or "etcd://HOST:PORT,..."
  size_t max_body_bytes = 8 << 20;        // larger requests get 413 (chunked too)
  int64_t event_retention = 100000;       // sqlite: revisions of watch history kept
  // Connections served at once (each watch holds one); more are closed on
  // accept. At least 1.
  int threads = 64;
  int max_connections_per_ip = 16;  // of `threads`, from one client IP; at least 1
  // The TLS handshake and each request (headers and body) must arrive
  // within this, however slowly the client sends; then the connection closes.
  int64_t request_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 5'000;  // a connection with no request this long is closed
  // Flow records agents ship (DIR/flows.db, whichever store): retention.
  size_t flow_max_records = 500'000;
  int64_t flow_max_age_seconds = 24 * 3600;
  // HTTPS with the controller's CA (DATA_DIR/ca.{key,crt}, created on first
  // start) and agent enrollment. `microseg controller` turns it on unless
  // --insecure-http; in-process users (tests) choose.
  bool tls = false;
  std::vector<std::string> tls_names;  // extra server certificate SANs (IPs, DNS names)
  int agent_cert_days = 365;           // lifetime of enrolled agents' certificates
};

class Controller {
 public:
  static Result<std::unique_ptr<Controller>> Start(const ControllerOptions& options);
  // Uses `store` instead of opening one (tests inject stores this way).
  static Result<std::unique_ptr<Controller>> Start(const ControllerOptions& options,
                                                   std::unique_ptr<Store> store);
  ~Controller();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT", "https://..." with TLS
  // With TLS: DATA_DIR/ca.crt, which clients trust, and its SHA-256
  // fingerprint (64 hex digits) for agents' --ca-sha256. "" without.
  std::string ca_file() const;
  std::string ca_fingerprint() const;
  const std::string& token() const;
  const Store& store() const;

  // Stops accepting, ends watches, joins the server threads. Idempotent.
  void Stop();
  // Blocks until Stop() is called from another thread (or a signal handler
  // thread).
  void Wait();

  class Impl;

 private:
  explicit Controller(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:7443" -> host and port; "[::1]:7443" for IPv6.
Status ParseListenAddress(const std::string& listen, std::string* host, int* port);

}  // namespace microseg
