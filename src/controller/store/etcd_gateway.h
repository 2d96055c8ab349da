// EtcdGateway: calls etcd v3's JSON gRPC gateway (POST /v3/kv/range, ...)
// over plain HTTP, failing over between the members of a cluster.
//
// A call goes to the member that answered last. Read sends requests that
// change nothing, so any failure moves one to the next member, round after
// round with backoff, until one answers or `retry_for` has passed (a member
// that is down, paused or cut off from the leader does not fail a read).
// Write sends a request at most once: it moves on only when the connection
// could not be made (the request never left), and says how a failure ended
// so that the caller (EtcdStore::Commit) can find out whether it applied.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace microseg {

struct EtcdEndpoint {
  std::string host;
  int port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// "etcd://127.0.0.1:2379,127.0.0.1:22379" (or without the scheme).
Result<std::vector<EtcdEndpoint>> ParseEtcdEndpoints(const std::string& spec);

struct EtcdTimeouts {
  // One request to one member, from connecting to the last byte of the reply.
  std::chrono::milliseconds call{10000};
  // How long reads (and EtcdStore's commits) keep trying before giving up.
  std::chrono::milliseconds retry_for{15000};
};

// How a failed call ended, for a write's caller.
enum class EtcdFailure {
  kUnsent,    // no member took the connection: nothing was sent
  kRejected,  // etcd refused the request (HTTP 4xx, e.g. too many operations): not applied
  kUnknown,   // sent, and no definite answer (timeout, reset, "request timed out"):
              // it may or may not apply, even later
};

class EtcdGateway {
 public:
  EtcdGateway(std::vector<EtcdEndpoint> endpoints, EtcdTimeouts timeouts)
      : endpoints_(std::move(endpoints)), timeouts_(timeouts) {}

  // POSTs a request that changes nothing to `path` ("/v3/kv/range") and
  // returns the parsed reply, trying every member until `retry_for`.
  Result<nlohmann::json> Read(const std::string& path, const nlohmann::json& request);

  // POSTs `request` to the first member that takes the connection. On
  // failure, `*failure` says whether it may have applied; the next call
  // starts at the next member.
  Result<nlohmann::json> Write(const std::string& path, const nlohmann::json& request,
                               EtcdFailure* failure);

  const std::vector<EtcdEndpoint>& endpoints() const { return endpoints_; }
  const EtcdTimeouts& timeouts() const { return timeouts_; }
  // The member to try first, for long-lived calls made elsewhere (watch).
  size_t preferred() const { return preferred_.load(); }
  void set_preferred(size_t index) { preferred_.store(index % endpoints_.size()); }

 private:
  // One request to member `index`.
  Result<nlohmann::json> Attempt(size_t index, const std::string& path, const std::string& body,
                                 EtcdFailure* failure);

  const std::vector<EtcdEndpoint> endpoints_;
  const EtcdTimeouts timeouts_;
  std::atomic<size_t> preferred_{0};
};

// etcd's int64 fields arrive as JSON strings ("revision": "12"); absent is 0.
int64_t EtcdInt(const nlohmann::json& object, const char* key);

// Sleeps for `*backoff` (never past `deadline`) and doubles it up to 1 s;
// false when `deadline` has passed.
bool EtcdBackoff(std::chrono::steady_clock::time_point deadline,
                 std::chrono::milliseconds* backoff);

}  // namespace microseg
