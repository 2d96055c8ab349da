// EtcdGateway: calls etcd v3's JSON gRPC gateway (POST /v3/kv/range, ...)
// over plain HTTP, failing over between the members of a cluster.
//
// A call goes to the member that answered last; when it cannot connect,
// the next member is tried, once around the list. Writes are retried only
// when the connection could not be made (the request was never sent), so
// a retry never applies a transaction twice. Thread-safe.
#pragma once

#include <atomic>
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

class EtcdGateway {
 public:
  explicit EtcdGateway(std::vector<EtcdEndpoint> endpoints) : endpoints_(std::move(endpoints)) {}

  // POSTs `request` to `path` ("/v3/kv/range") and returns the parsed
  // reply; gateway errors ({"error": ...}) become Status errors.
  Result<nlohmann::json> Call(const std::string& path, const nlohmann::json& request);

  const std::vector<EtcdEndpoint>& endpoints() const { return endpoints_; }
  // The member to try first, for long-lived calls made elsewhere (watch).
  size_t preferred() const { return preferred_.load(); }
  void set_preferred(size_t index) { preferred_.store(index % endpoints_.size()); }

 private:
  const std::vector<EtcdEndpoint> endpoints_;
  std::atomic<size_t> preferred_{0};
};

// etcd's int64 fields arrive as JSON strings ("revision": "12"); absent is 0.
int64_t EtcdInt(const nlohmann::json& object, const char* key);

}  // namespace microseg
