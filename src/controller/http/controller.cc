#include "controller/http/controller.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "controller/http/agent_registry.h"
#include "controller/http/connection_stream.h"
#include "controller/http/controller_routes.h"
#include "controller/http/controller_tls.h"
#include "controller/http/data_dir.h"
#include "controller/http/flow_handlers.h"
#include "controller/http/http_reply.h"
#include "controller/http/request_auth.h"
#include "controller/http/span_computer.h"
#include "controller/store/store_factory.h"

namespace microseg {

Status ParseListenAddress(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::Error("--listen " + listen + ": expected HOST:PORT");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const char* first = listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  int p = -1;
  auto [ptr, ec] = std::from_chars(first, last, p);
  if (ec != std::errc() || ptr != last || p < 0 || p > 65535) {
    return Status::Error("--listen " + listen + ": invalid port");
  }
  *host = h;
  *port = p;
  return Status::Ok();
}

class Controller::Impl {
 public:
  Impl(const ControllerOptions& options, DataDirLock lock, std::string token,
       std::unique_ptr<Store> store, std::unique_ptr<ControllerTls> tls)
      : options_(options),
        lock_(std::move(lock)),
        token_(std::move(token)),
        store_(std::move(store)),
        flows_(FlowStoreOptions{.max_records = options.flow_max_records,
                                .max_age_seconds = options.flow_max_age_seconds,
                                .path = options.data_dir + "/flows.db"}),
        tls_(std::move(tls)),
        server_holder_(MakeServer(tls_.get(), Limits(options))),
        server_(*server_holder_),
        routes_(ControllerRoutes({.store = store_.get(),
                                  .stopping = &stopping_,
                                  .spans = &spans_,
                                  .agents = &agents_,
                                  .flows = &flows_,
                                  .ca = tls_ ? tls_->ca.get() : nullptr,
                                  .join_tokens = tls_ ? tls_->join_tokens.get() : nullptr,
                                  .agent_cert_days = options.agent_cert_days})),
        authorizer_(token_, routes_, store_.get(), &stopping_) {}

  ~Impl() { Stop(); }

  Status Listen() {
    std::string host;
    MICROSEG_RETURN_IF_ERROR(ParseListenAddress(options_.listen, &host, &port_));
    if (!server_.is_valid()) return Status::Error("TLS: cannot set up the HTTPS server");
    // Limits (threads, deadlines, body cap) are the hardened server's.
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (BodyTooLarge(req, res)) return httplib::Server::HandlerResponse::Handled;
      // The admin token, or an agent's certificate and its rules.
      return authorizer_.Authorize(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                             : httplib::Server::HandlerResponse::Handled;
    });
    server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      // A read the connection's stream refused: httplib says 400.
      if (const ConnectionStream* stream = CurrentConnection()) {
        if (stream->over_cap()) res.status = 413;
        if (stream->timed_out()) res.status = 408;
      }
      if (!res.body.empty()) return;  // a handler's own JSON error
      std::string message = res.status == 413   ? "request body too large"
                            : res.status == 404 ? "no such route"
                            : res.status == 408 ? "request not received in time"
                                                : "HTTP " + std::to_string(res.status);
      ReplyError(res, res.status, message);
    });
    server_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          ReplyError(res, 500, "internal error");
        });
    MICROSEG_RETURN_IF_ERROR(flows_.Open());  // the flows of the last run, within retention
    RegisterRoutes(routes_, &server_);
    if (port_ == 0) {
      port_ = server_.bind_to_any_port(host);
      if (port_ < 0) return Status::Error("--listen " + options_.listen + ": cannot bind");
    } else if (!server_.bind_to_port(host, port_)) {
      return Status::Error("--listen " + options_.listen + ": cannot bind");
    }
    DeepenAcceptBacklog(&server_);
    host_ = host;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Server::stop() is a no-op until the loop runs; wait for it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Error("--listen " + options_.listen + ": server did not start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Status::Ok();
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    server_.stop();
    if (thread_.joinable()) thread_.join();
    stopped_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
  }

  static ServerLimits Limits(const ControllerOptions& options) {
    ServerLimits limits;
    limits.max_body_bytes = options.max_body_bytes;
    limits.request_timeout = std::chrono::milliseconds(options.request_timeout_ms);
    limits.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
    limits.max_connections = static_cast<size_t>(std::max(1, options.threads));
    limits.max_connections_per_ip =
        static_cast<size_t>(std::max(1, options.max_connections_per_ip));
    return limits;
  }

  // A declared Content-Length over the cap is refused before any body is
  // read (before authentication too: nothing is disclosed); the body still
  // on the wire ends the connection.
  bool BodyTooLarge(const httplib::Request& req, httplib::Response& res) const {
    if (!req.has_header("Content-Length")) return false;
    const std::string value = req.get_header_value("Content-Length");
    uint64_t length = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    const bool parsed = ec == std::errc() && ptr == value.data() + value.size();
    if (parsed && length <= options_.max_body_bytes) return false;
    if (ConnectionStream* stream = CurrentConnection()) stream->CloseAfterResponse();
    if (parsed || ec == std::errc::result_out_of_range) {
      ReplyError(res, 413, "request body too large");
    } else {
      ReplyError(res, 400, "invalid Content-Length");
    }
    return true;
  }

  const ControllerOptions options_;
  DataDirLock lock_;
  const std::string token_;
  std::unique_ptr<Store> store_;
  SpanComputer spans_;
  AgentRegistry agents_;
  FlowService flows_;
  std::unique_ptr<ControllerTls> tls_;  // null: plain HTTP
  std::unique_ptr<httplib::Server> server_holder_;  // an SSLServer with tls_
  httplib::Server& server_;
  RouteTable routes_;  // the server's routes and the authorizer's rules
  RequestAuthorizer authorizer_;
  std::string host_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;  // guarded by mu_
};

Result<std::unique_ptr<Controller>> Controller::Start(const ControllerOptions& options) {
  return Start(options, nullptr);
}

Result<std::unique_ptr<Controller>> Controller::Start(const ControllerOptions& options,
                                                      std::unique_ptr<Store> store) {
  if (options.data_dir.empty()) return Status::Error("--data-dir is required");
  Result<DataDirLock> lock = DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) return lock.status();
  Result<std::string> token = LoadOrCreateToken(options.data_dir);
  if (!token.ok()) return token.status();
  std::unique_ptr<ControllerTls> tls;
  if (options.tls) {
    std::string host;
    int port = 0;
    MICROSEG_RETURN_IF_ERROR(ParseListenAddress(options.listen, &host, &port));
    Result<std::unique_ptr<ControllerTls>> loaded =
        LoadControllerTls(options.data_dir, host, options.tls_names);
    if (!loaded.ok()) return loaded.status();
    tls = std::move(*loaded);
  }
  if (store == nullptr) {
    SqliteStoreOptions sqlite_options;
    sqlite_options.event_retention = options.event_retention;
    Result<std::unique_ptr<Store>> opened =
        OpenStore(options.store, options.data_dir, sqlite_options);
    if (!opened.ok()) return opened.status();
    store = std::move(*opened);
  }
  auto impl = std::make_unique<Impl>(options, std::move(*lock), std::move(*token),
                                     std::move(store), std::move(tls));
  MICROSEG_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<Controller>(new Controller(std::move(impl)));
}

Controller::Controller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Controller::~Controller() = default;

int Controller::port() const { return impl_->port_; }

std::string Controller::url() const {
  std::string host = impl_->host_;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  if (host == "0.0.0.0") host = "127.0.0.1";
  return (impl_->tls_ ? "https://" : "http://") + host + ":" + std::to_string(impl_->port_);
}

std::string Controller::ca_file() const { return impl_->tls_ ? impl_->tls_->ca_file : ""; }

std::string Controller::ca_fingerprint() const {
  return impl_->tls_ ? impl_->tls_->ca->fingerprint() : "";
}

const std::string& Controller::token() const { return impl_->token_; }
const Store& Controller::store() const { return *impl_->store_; }
void Controller::Stop() { impl_->Stop(); }
void Controller::Wait() { impl_->Wait(); }

}  // namespace microseg
