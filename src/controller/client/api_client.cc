#include "controller/client/api_client.h"

#include <httplib.h>
#include <openssl/x509.h>

#include <cctype>

#include "ingest/json_text.h"

namespace microseg {

namespace {

std::unique_ptr<httplib::Client> MakeClient(const std::string& server, const ClientTls& tls) {
  const bool https = server.rfind("https://", 0) == 0;
  auto client = https && !tls.cert_file.empty()
                    ? std::make_unique<httplib::Client>(server, tls.cert_file, tls.key_file)
                    : std::make_unique<httplib::Client>(server);
  if (https) {
    if (!tls.ca_file.empty()) client->set_ca_cert_path(tls.ca_file);
    client->enable_server_certificate_verification(true);
  }
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(60, 0);
  client->set_write_timeout(60, 0);
  return client;
}

httplib::Headers AuthHeaders(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

// A transport failure, named for the user: an untrusted server says which
// CA to pass.
std::string TransportError(const std::string& server, const ClientTls& tls,
                           const httplib::Client& client, httplib::Error error) {
  std::string message = server + ": " + httplib::to_string(error);
  if (error == httplib::Error::SSLServerVerification) {
    long code = client.get_openssl_verify_result();
    message += std::string(" (") + X509_verify_cert_error_string(code) + ")";
    message += tls.ca_file.empty()
                   ? "; pass the controller's CA: --ca-file DATA_DIR/ca.crt"
                   : "; the server's certificate is not signed by " + tls.ca_file;
  } else if (error == httplib::Error::SSLLoadingCerts) {
    message += ": cannot load " + (tls.cert_file.empty() ? tls.ca_file
                                                         : tls.cert_file + " / " + tls.key_file);
  } else if (error == httplib::Error::SSLConnection) {
    message += " (is it serving https? is our client certificate of its CA?)";
  }
  return message;
}

std::string MessageOf(const ApiReply& reply) {
  Json body = ParseUntrustedJson(reply.body);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return "HTTP " + std::to_string(reply.status);
}

std::string ObjectPath(const std::string& kind, const std::string& name,
                       const std::optional<std::string>& ns) {
  std::string path = "/api/v1/objects/" + UrlEncode(kind) + "/" + UrlEncode(name);
  if (ns) path += "?namespace=" + UrlEncode(*ns);
  return path;
}

}  // namespace

std::string UrlEncode(const std::string& value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<ApiReply> ApiClient::Send(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& content_type) const {
  std::unique_ptr<httplib::Client> client = MakeClient(server_, tls_);
  if (!client->is_valid()) {
    return Status::Error(server_ + ": invalid server URL" +
                         (tls_.cert_file.empty() ? ""
                                                 : " or unreadable client certificate " +
                                                       tls_.cert_file + " / " + tls_.key_file));
  }
  httplib::Headers headers = AuthHeaders(token_);
  if (method != "GET" && method != "POST" && method != "DELETE") {
    return Status::Error("unsupported method " + method);
  }
  httplib::Result res = method == "GET"    ? client->Get(path, headers)
                        : method == "POST" ? client->Post(path, headers, body, content_type)
                                           : client->Delete(path, headers);
  if (!res) return Status::Error(TransportError(server_, tls_, *client, res.error()));
  return ApiReply{res->status, res->body};
}

Result<Json> ApiClient::Call(const std::string& method, const std::string& path,
                             const std::string& body, const std::string& content_type) const {
  Result<ApiReply> reply = Send(method, path, body, content_type);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return Status::Error(MessageOf(*reply));
  Json json = ParseUntrustedJson(reply->body);
  if (json.is_discarded()) return Status::Error(server_ + ": unreadable reply");
  return json;
}

Result<Json> ApiClient::Apply(const std::vector<ManifestSource>& sources) const {
  return Call("POST", "/api/v1/apply", EncodeManifestSources(sources), kManifestsContentType);
}

Result<Json> ApiClient::DeleteManifests(const std::vector<ManifestSource>& sources) const {
  return Call("POST", "/api/v1/delete", EncodeManifestSources(sources), kManifestsContentType);
}

Result<Json> ApiClient::List(const std::string& kind, const std::optional<std::string>& ns) const {
  std::string path = "/api/v1/objects";
  if (!kind.empty()) path += "/" + UrlEncode(kind);
  if (ns) path += "?namespace=" + UrlEncode(*ns);
  return Call("GET", path);
}

Result<Json> ApiClient::Get(const std::string& kind, const std::string& name,
                            const std::optional<std::string>& ns) const {
  return Call("GET", ObjectPath(kind, name, ns));
}

Result<Json> ApiClient::Delete(const std::string& kind, const std::string& name,
                               const std::optional<std::string>& ns) const {
  return Call("DELETE", ObjectPath(kind, name, ns));
}

Result<Json> ApiClient::Span(const std::string& node) const {
  return Call("GET", "/api/v1/span?node=" + UrlEncode(node));
}

Status ApiClient::ReportAgentStatus(const std::string& node, const Json& status) const {
  Result<Json> reply = Call("POST", "/api/v1/agents/" + UrlEncode(node) + "/status", status.dump());
  return reply.status();
}

Result<Json> ApiClient::ListAgents() const { return Call("GET", "/api/v1/agents"); }

Status ApiClient::PostFlows(const std::string& json_lines) const {
  Result<Json> reply = Call("POST", "/api/v1/flows", json_lines, "application/x-ndjson");
  return reply.ok() ? Status::Ok() : reply.status();
}

Result<Json> ApiClient::QueryFlows(const std::string& query) const {
  return Call("GET", query.empty() ? "/api/v1/flows" : "/api/v1/flows?" + query);
}

void WatchCanceller::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (client_ != nullptr) client_->stop();
}

bool WatchCanceller::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

Status ApiClient::Watch(const std::string& query,
                        const std::function<bool(const Json&)>& on_event) const {
  return Watch(query, on_event, WatchOptions{});
}

Status ApiClient::Watch(const std::string& query, const std::function<bool(const Json&)>& on_event,
                        const WatchOptions& options) const {
  std::unique_ptr<httplib::Client> client = MakeClient(server_, tls_);
  client->set_read_timeout(options.read_timeout);
  WatchCanceller* canceller = options.canceller;
  if (canceller != nullptr) {
    std::lock_guard<std::mutex> lock(canceller->mu_);
    if (canceller->cancelled_) return Status::Ok();
    canceller->client_ = client.get();
  }
  // Unregisters the client however this function returns.
  struct Unregister {
    WatchCanceller* canceller;
    ~Unregister() {
      if (canceller == nullptr) return;
      std::lock_guard<std::mutex> lock(canceller->mu_);
      canceller->client_ = nullptr;
    }
  } unregister{canceller};
  if (options.http_status != nullptr) *options.http_status = 0;
  httplib::Headers headers = AuthHeaders(token_);
  int status = 0;
  std::string buffer;
  std::string error_body;
  bool stopped = false;
  httplib::Result res = client->Get(
      "/api/v1/watch" + (query.empty() ? "" : "?" + query), headers,
      [&](const httplib::Response& response) {
        status = response.status;
        if (options.http_status != nullptr) *options.http_status = status;
        if (status == 200 && options.on_open) options.on_open();
        return true;
      },
      [&](const char* data, size_t size) {
        if (canceller != nullptr && canceller->cancelled()) {
          stopped = true;
          return false;
        }
        if (status != 200) {
          error_body.append(data, size);
          return error_body.size() < (1 << 20);
        }
        buffer.append(data, size);
        size_t newline;
        while ((newline = buffer.find('\n')) != std::string::npos) {
          std::string line = buffer.substr(0, newline);
          buffer.erase(0, newline + 1);
          if (line.empty()) continue;  // keepalive
          Json event = ParseUntrustedJson(line);
          if (event.is_discarded()) continue;
          if (!on_event(event)) {
            stopped = true;
            return false;
          }
        }
        return true;
      });
  if (stopped || (canceller != nullptr && canceller->cancelled())) return Status::Ok();
  if (status != 0 && status != 200) return Status::Error(MessageOf({status, error_body}));
  if (!res) return Status::Error(TransportError(server_, tls_, *client, res.error()));
  return Status::Ok();
}

}  // namespace microseg
