#include "controller/store/etcd_gateway.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace microseg {

Result<std::vector<EtcdEndpoint>> ParseEtcdEndpoints(const std::string& spec) {
  std::string rest = spec;
  const std::string scheme = "etcd://";
  if (rest.rfind(scheme, 0) == 0) rest = rest.substr(scheme.size());
  std::vector<EtcdEndpoint> endpoints;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = item.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0) {
      return Status::Error("etcd endpoint " + (item.empty() ? "\"\"" : item) +
                           ": expected HOST:PORT");
    }
    const char* first = item.data() + colon + 1;
    const char* last = item.data() + item.size();
    auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || ptr != last || port < 1 || port > 65535) {
      return Status::Error("etcd endpoint " + item + ": invalid port");
    }
    endpoints.push_back({item.substr(0, colon), port});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return endpoints;
}

int64_t EtcdInt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return 0;
  const std::string& s = it->get_ref<const std::string&>();
  int64_t value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

bool EtcdBackoff(std::chrono::steady_clock::time_point deadline,
                 std::chrono::milliseconds* backoff) {
  auto now = std::chrono::steady_clock::now();
  if (now >= deadline) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  std::this_thread::sleep_for(std::min(*backoff, left));
  *backoff = std::min(*backoff * 2, std::chrono::milliseconds(1000));
  return true;
}

Result<nlohmann::json> EtcdGateway::Attempt(size_t index, const std::string& path,
                                            const std::string& body, EtcdFailure* failure) {
  const EtcdEndpoint& endpoint = endpoints_[index];
  httplib::Client client(endpoint.host, endpoint.port);
  client.set_connection_timeout(std::min(timeouts_.call, std::chrono::milliseconds(1000)));
  client.set_read_timeout(timeouts_.call);
  client.set_write_timeout(timeouts_.call);
  httplib::Result res = client.Post(path, body, "application/json");
  const std::string where = "etcd " + path + ": " + endpoint.ToString() + ": ";
  if (!res) {
    *failure =
        res.error() == httplib::Error::Connection ? EtcdFailure::kUnsent : EtcdFailure::kUnknown;
    return Status::Error(where + httplib::to_string(res.error()));
  }
  nlohmann::json reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  // A 4xx is etcd refusing the request before acting on it (gRPC
  // InvalidArgument, FailedPrecondition, ...); 5xx ("request timed out",
  // "leader changed") may come after the proposal was made.
  *failure =
      res->status >= 400 && res->status < 500 ? EtcdFailure::kRejected : EtcdFailure::kUnknown;
  if (reply.is_discarded() || !reply.is_object()) {
    return Status::Error(where + "HTTP " + std::to_string(res->status) + ": unreadable reply");
  }
  if (res->status != 200 || reply.contains("error")) {
    std::string message = reply.value("message", reply.value("error", std::string()));
    return Status::Error(where + "HTTP " + std::to_string(res->status) + ": " + message);
  }
  preferred_.store(index);
  return reply;
}

Result<nlohmann::json> EtcdGateway::Read(const std::string& path, const nlohmann::json& request) {
  const std::string body = request.dump();
  const auto deadline = std::chrono::steady_clock::now() + timeouts_.retry_for;
  std::chrono::milliseconds backoff(50);
  size_t index = preferred_.load();
  while (true) {
    Status last;
    for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt, ++index) {
      EtcdFailure failure;
      Result<nlohmann::json> reply = Attempt(index % endpoints_.size(), path, body, &failure);
      if (reply.ok() || failure == EtcdFailure::kRejected) return reply;
      last = reply.status();
    }
    if (!EtcdBackoff(deadline, &backoff)) {
      return Status::Error("no etcd member answered for " +
                           std::to_string(timeouts_.retry_for.count()) +
                           " ms (last: " + last.message() + ")");
    }
  }
}

Result<nlohmann::json> EtcdGateway::Write(const std::string& path, const nlohmann::json& request,
                                          EtcdFailure* failure) {
  const std::string body = request.dump();
  const size_t first = preferred_.load();
  Status last;
  for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const size_t index = (first + attempt) % endpoints_.size();
    Result<nlohmann::json> reply = Attempt(index, path, body, failure);
    if (reply.ok()) return reply;
    // Only a request that never left may go elsewhere.
    if (*failure != EtcdFailure::kUnsent) {
      // This member could not answer for it: the next call starts elsewhere.
      if (*failure == EtcdFailure::kUnknown) preferred_.store((index + 1) % endpoints_.size());
      return reply.status();
    }
    last = reply.status();
  }
  return Status::Error(last.message() + " (no member reachable)");
}

}  // namespace microseg
