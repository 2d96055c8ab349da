// ApiClient: HTTP(S) GETs against one Kubernetes API server.
//
// Built from a ClusterAccess (kubeconfig.h): bearer token (inline, or
// re-read from tokenFile before every request), client certificate, CA
// bundle or insecure-skip-tls-verify. A server URL with a path prefix
// ("https://rancher/k8s/clusters/c-1") is honoured.
//
// One request at a time, from one thread; Interrupt() may be called from
// any thread and aborts the request in flight (if any). The next request
// runs normally. Each request opens its own connection (no keep-alive),
// which is what long watch streams want anyway.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kube/kubeconfig.h"

namespace httplib {
class ClientImpl;
}

namespace microseg::kube {

struct HttpReply {
  int status = 0;
  std::string body;  // Stream(): only for non-200 replies
};

class ApiClient {
 public:
  // Errors: unparsable server URL, bad PEM material.
  static Result<std::unique_ptr<ApiClient>> Create(const ClusterAccess& access);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GET `target` ("/api/v1/pods?limit=500") and return the whole reply.
  // An error means no HTTP reply (connect, TLS, timeout, interrupted).
  Result<HttpReply> Get(const std::string& target, std::chrono::seconds read_timeout);

  // GET `target` and, while the status is 200, hand each complete line to
  // `on_line` as soon as it arrives (empty lines are skipped). `on_line`
  // returning false aborts the request (the result is then an error). A
  // non-200 reply's body is collected instead. An error also means the
  // stream broke before the server ended it.
  using LineHandler = std::function<bool(std::string_view line)>;
  Result<HttpReply> Stream(const std::string& target, std::chrono::seconds read_timeout,
                           const LineHandler& on_line);

  void Interrupt();

  // "https://10.0.0.1:6443": for messages.
  const std::string& server() const { return access_.server; }

 private:
  ApiClient(ClusterAccess access, std::unique_ptr<httplib::ClientImpl> http, std::string prefix);
  Status PrepareRequest(std::chrono::seconds read_timeout);

  ClusterAccess access_;
  std::unique_ptr<httplib::ClientImpl> http_;
  std::string prefix_;  // path prefix of the server URL, "" or "/k8s/clusters/c-1"
};

// Splits "scheme://host[:port][/prefix]"; the port defaults by scheme.
struct ServerUrl {
  bool https = true;
  std::string host;  // without IPv6 brackets
  int port = 443;
  std::string prefix;  // no trailing '/'
};
Result<ServerUrl> ParseServerUrl(std::string_view url);

}  // namespace microseg::kube
