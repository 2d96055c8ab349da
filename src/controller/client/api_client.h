// ApiClient: the controller's API from the client side (CLI, tests, agents).
//
// Methods return the decoded JSON reply, or a Status whose message is the
// server's {"error"} text (transport failures name the server). Each call
// opens its own connection; an ApiClient may be shared between threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/apply_request.h"
#include "ingest/field.h"

namespace microseg {

struct ApiReply {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  // `server` is "http://HOST:PORT".
  ApiClient(std::string server, std::string token)
      : server_(std::move(server)), token_(std::move(token)) {}

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

  const std::string& server() const { return server_; }

 private:
  Result<Json> Call(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::string& content_type = "application/json") const;

  std::string server_;
  std::string token_;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace microseg
