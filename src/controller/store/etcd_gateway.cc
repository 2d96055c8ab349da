#include "controller/store/etcd_gateway.h"

#include <httplib.h>

#include <charconv>

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

Result<nlohmann::json> EtcdGateway::Call(const std::string& path, const nlohmann::json& request) {
  const std::string body = request.dump();
  const size_t first = preferred_.load();
  std::string last_error;
  for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const size_t index = (first + attempt) % endpoints_.size();
    const EtcdEndpoint& endpoint = endpoints_[index];
    httplib::Client client(endpoint.host, endpoint.port);
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(10, 0);
    client.set_write_timeout(10, 0);
    httplib::Result res = client.Post(path, body, "application/json");
    if (!res) {
      last_error = endpoint.ToString() + ": " + httplib::to_string(res.error());
      // Only a request that never left may go elsewhere (see the header).
      if (res.error() == httplib::Error::Connection) continue;
      return Status::Error("etcd " + path + ": " + last_error);
    }
    preferred_.store(index);
    nlohmann::json reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded() || !reply.is_object()) {
      return Status::Error("etcd " + path + ": " + endpoint.ToString() + ": HTTP " +
                           std::to_string(res->status) + ": unreadable reply");
    }
    if (res->status != 200 || reply.contains("error")) {
      std::string message = reply.value("message", reply.value("error", std::string()));
      return Status::Error("etcd " + path + ": " + endpoint.ToString() + ": HTTP " +
                           std::to_string(res->status) + ": " + message);
    }
    return reply;
  }
  return Status::Error("etcd " + path + ": no member reachable (last: " + last_error + ")");
}

}  // namespace microseg
