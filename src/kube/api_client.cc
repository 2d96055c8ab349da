#include "kube/api_client.h"

#include <httplib.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "kube/tls.h"

namespace microseg::kube {

namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr size_t kMaxLine = 256 * 1024 * 1024;  // one watch event; guards memory

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": cannot read token file");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) return Status::Error(path + ": token file is empty");
  return token;
}

std::string Describe(httplib::Error error) { return httplib::to_string(error); }

}  // namespace

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  std::string_view rest = url;
  auto bad = [&](const std::string& why) {
    return Status::Error("server URL \"" + std::string(url) + "\": " + why);
  };
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    out.https = false;
    out.port = 80;
    rest.remove_prefix(7);
  } else {
    return bad("expected http:// or https://");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.prefix = std::string(rest.substr(slash));
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  std::string_view port_text;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (!port_text.empty()) {
    auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || out.port < 1 ||
        out.port > 65535) {
      return bad("invalid port");
    }
  }
  return out;
}

Result<std::unique_ptr<ApiClient>> ApiClient::Create(const ClusterAccess& access) {
  Result<ServerUrl> url = ParseServerUrl(access.server);
  if (!url.ok()) return url.status();
  std::unique_ptr<httplib::ClientImpl> http;
  if (!url->https) {
    http = std::make_unique<httplib::ClientImpl>(url->host, url->port);
  } else {
    std::unique_ptr<httplib::SSLClient> ssl;
    if (!access.client_cert_pem.empty()) {
      // SSLClient copies both into its context; ours are freed on return.
      Result<X509Ptr> cert = ParseCertificate(access.client_cert_pem, "client certificate");
      if (!cert.ok()) return cert.status();
      Result<EvpPkeyPtr> key = ParsePrivateKey(access.client_key_pem, "client key");
      if (!key.ok()) return key.status();
      ssl = std::make_unique<httplib::SSLClient>(url->host, url->port, cert->get(), key->get());
    } else {
      ssl = std::make_unique<httplib::SSLClient>(url->host, url->port);
    }
    if (!ssl->is_valid()) {
      return Status::Error(access.server +
                           ": cannot set up TLS (is the client key the "
                           "certificate's?)");
    }
    if (access.insecure_skip_tls_verify) {
      ssl->enable_server_certificate_verification(false);
    } else {
      ssl->enable_server_certificate_verification(true);
      if (!access.ca_pem.empty()) {
        Result<X509StorePtr> store = ParseCaBundle(access.ca_pem, "certificate authority");
        if (!store.ok()) return store.status();
        ssl->set_ca_cert_store(store->release());  // takes ownership
      }
    }
    http = std::move(ssl);
  }
  http->set_keep_alive(false);
  http->set_connection_timeout(10, 0);
  http->set_write_timeout(10, 0);
  http->set_default_headers({{"Accept", "application/json"}});
  return std::unique_ptr<ApiClient>(new ApiClient(access, std::move(http), std::move(url->prefix)));
}

ApiClient::ApiClient(ClusterAccess access, std::unique_ptr<httplib::ClientImpl> http,
                     std::string prefix)
    : access_(std::move(access)), http_(std::move(http)), prefix_(std::move(prefix)) {}

ApiClient::~ApiClient() = default;

Status ApiClient::PrepareRequest(std::chrono::seconds read_timeout) {
  http_->set_read_timeout(read_timeout);
  if (!access_.token_file.empty()) {
    Result<std::string> token = ReadToken(access_.token_file);
    if (!token.ok()) return token.status();
    http_->set_bearer_token_auth(*token);
  } else if (!access_.token.empty()) {
    http_->set_bearer_token_auth(access_.token);
  }
  return Status::Ok();
}

Result<HttpReply> ApiClient::Get(const std::string& target, std::chrono::seconds read_timeout) {
  if (Status s = PrepareRequest(read_timeout); !s.ok()) return s;
  httplib::Result res = http_->Get(prefix_ + target);
  if (!res) return Status::Error("GET " + target + ": " + Describe(res.error()));
  return HttpReply{res->status, std::move(res->body)};
}

Result<HttpReply> ApiClient::Stream(const std::string& target, std::chrono::seconds read_timeout,
                                    const LineHandler& on_line) {
  if (Status s = PrepareRequest(read_timeout); !s.ok()) return s;
  HttpReply reply;
  std::string pending;
  bool too_long = false;
  auto on_response = [&](const httplib::Response& response) {
    reply.status = response.status;
    return true;
  };
  auto on_data = [&](const char* data, size_t length) {
    if (reply.status != 200) {
      reply.body.append(
          data, std::min(length, kMaxErrorBody - std::min(kMaxErrorBody, reply.body.size())));
      return true;
    }
    pending.append(data, length);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && !on_line(line)) return false;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {
      too_long = true;
      return false;
    }
    return true;
  };
  httplib::Result res = http_->Get(prefix_ + target, httplib::Headers{}, on_response, on_data);
  if (too_long) return Status::Error("GET " + target + ": a line is longer than 256 MiB");
  if (!res) return Status::Error("GET " + target + ": " + Describe(res.error()));
  if (reply.status == 200 && !pending.empty() && !on_line(pending)) {
    return Status::Error("GET " + target + ": Canceled");
  }
  return reply;
}

void ApiClient::Interrupt() { http_->stop(); }

}  // namespace microseg::kube
