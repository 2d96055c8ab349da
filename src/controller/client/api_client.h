// ApiClient: the controller's API from the client side (CLI, tests, agents).
//
// Methods return the decoded JSON reply, or a Status whose message is the
// server's {"error"} text (transport failures name the server). Each call
// opens its own connection; an ApiClient may be shared between threads.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/apply_request.h"
#include "ingest/field.h"

namespace httplib {
class Client;
}

namespace microseg {

// How a client checks the controller and proves who it is over https://
// (docs/CONTROLLER.md, Security). Ignored for http:// servers.
struct ClientTls {
  std::string ca_file;    // trust only this CA (DATA_DIR/ca.crt); "": the system's roots
  std::string cert_file;  // a client certificate (an agent's), with key_file
  std::string key_file;
};

struct ApiReply {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  // `server` is "https://HOST:PORT" (or "http://..."). An empty `token`
  // sends no Authorization header (agents authenticate by certificate).
  ApiClient(std::string server, std::string token, ClientTls tls = {})
      : server_(std::move(server)), token_(std::move(token)), tls_(std::move(tls)) {}

  // One raw request; errors only when the server could not be reached.
  Result<ApiReply> Send(const std::string& method, const std::string& path,
                        const std::string& body = "",
                        const std::string& content_type = "application/json") const;

  Result<Json> Apply(const std::vector<ManifestSource>& sources) const;
  Result<Json> DeleteManifests(const std::vector<ManifestSource>& sources) const;
  // `kind` may be an alias; "" lists every kind. `ns` unset: every namespace.
  Result<Json> List(const std::string& kind, const std::optional<std::string>& ns) const;
  Result<Json> Get(const std::string& kind, const std::string& name,
                   const std::optional<std::string>& ns) const;
  Result<Json> Delete(const std::string& kind, const std::string& name,
                      const std::optional<std::string>& ns) const;

  // Streams events to `on_event` until it returns false, the server ends
  // the stream (ok), or the connection fails (error). A 410 or other error
  // reply is an error with the server's message. `query` is the watch's
  // query string without '?', e.g. "resourceVersion=12&kind=Pod".
  Status Watch(const std::string& query, const std::function<bool(const Json&)>& on_event) const;
  struct WatchOptions;
  Status Watch(const std::string& query, const std::function<bool(const Json&)>& on_event,
               const WatchOptions& options) const;

  // Agents (docs/CONTROLLER.md, "Agents").
  // GET /api/v1/span?node=NODE: a List of the objects NODE's agent needs.
  Result<Json> Span(const std::string& node) const;
  // POST /api/v1/agents/NODE/status.
  Status ReportAgentStatus(const std::string& node, const Json& status) const;
  // GET /api/v1/agents: {"items": [...]}.
  Result<Json> ListAgents() const;

  // Flows (docs/VISIBILITY.md). POST /api/v1/flows: flow records as JSON
  // lines (an agent's drained FlowBatch).
  Status PostFlows(const std::string& json_lines) const;
  // GET /api/v1/flows?QUERY: {"items": [aggregate...], ...}. `query` is the
  // query string without '?' ("verdict=allow&since=15m"), may be empty.
  Result<Json> QueryFlows(const std::string& query) const;

  const std::string& server() const { return server_; }
  const ClientTls& tls() const { return tls_; }

 private:
  Result<Json> Call(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::string& content_type = "application/json") const;

  std::string server_;
  std::string token_;
  ClientTls tls_;
};

// Ends a Watch in progress from another thread (by shutting its socket).
// Once cancelled, it stays cancelled: later watches given it return at once.
class WatchCanceller {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class ApiClient;
  mutable std::mutex mu_;
  bool cancelled_ = false;
  httplib::Client* client_ = nullptr;  // the running watch's, guarded by mu_
};

struct ApiClient::WatchOptions {
  WatchCanceller* canceller = nullptr;
  // Called once the server accepted the watch (HTTP 200), before any event.
  std::function<void()> on_open;
  // A silent connection is dead after this long. The server sends a
  // keepalive line after 5 s idle, so agents use ~30 s.
  std::chrono::seconds read_timeout{3600};
  // Set to the reply's HTTP status (0 when none came), e.g. 410 when the
  // requested resourceVersion was compacted.
  int* http_status = nullptr;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace microseg
