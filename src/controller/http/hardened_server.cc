#include "controller/http/hardened_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <type_traits>
#include <utility>

#include "controller/http/connection_gate.h"
#include "controller/http/connection_stream.h"

namespace microseg {
namespace {

// Workers beyond max_connections, so a refused connection is closed at
// once even while every admitted one holds a worker.
constexpr size_t kTurnAwayWorkers = 4;
constexpr size_t kMaxRequestsPerConnection = 100;

// A refused body may still be arriving: closing at once would answer it
// with a reset, which can destroy the response before the client reads it.
// So: end our side, then discard what comes, within bounds.
void LingeringClose(int sock) {
  ::shutdown(sock, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  char buffer[16384];
  for (size_t drained = 0; drained < (1 << 20);) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{sock, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::recv(sock, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
    if (n > 0) drained += static_cast<size_t>(n);
  }
}

class BacklogControl {
 public:
  virtual ~BacklogControl() = default;
  virtual void DeepenBacklog() = 0;
};

template <typename Base>
class Hardened final : public Base, public BacklogControl {
 public:
  template <typename... Args>
  explicit Hardened(const ServerLimits& limits, Args&&... args)
      : Base(std::forward<Args>(args)...),
        limits_(limits),
        gate_(limits.max_connections, limits.max_connections_per_ip) {
    const size_t workers = limits.max_connections + kTurnAwayWorkers;
    this->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    // Content-Length is checked exactly by httplib; the stream's cap covers
    // the rest.
    this->set_payload_max_length(limits.max_body_bytes);
  }

  void DeepenBacklog() override {
    if (this->svr_sock_ != INVALID_SOCKET) ::listen(this->svr_sock_, SOMAXCONN);
  }

 private:
  // Replaces httplib's per-connection loop (private virtual: overridable).
  bool process_and_close_socket(socket_t sock) override {
    bool ret = false;
    {
      ConnectionGate::Ticket ticket(&gate_, PeerAddress(sock));
      if (ticket.admitted()) ret = Serve(sock);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ret;
  }

  bool Serve(int sock) {
    const int flags = fcntl(sock, F_GETFL);
    if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0) return false;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(nullptr, SSL_free);
    if constexpr (std::is_base_of_v<httplib::SSLServer, Base>) {
      ssl.reset(SSL_new(this->ssl_context()));
      if (ssl == nullptr || SSL_set_fd(ssl.get(), sock) != 1) return false;
    }
    ConnectionStream stream(sock, ssl.get(), limits_.max_body_bytes + kRequestHeaderAllowance,
                            limits_.request_timeout, limits_.write_timeout, &this->svr_sock_);
    CurrentConnectionScope scope(&stream);
    if (ssl != nullptr && !stream.Handshake()) return false;
    SSL* peer = ssl.get();
    bool ret = false;
    for (size_t left = kMaxRequestsPerConnection; left > 0; --left) {
      if (this->svr_sock_ == INVALID_SOCKET) break;  // stopping
      if (!stream.WaitForRequest(limits_.idle_timeout)) break;
      stream.BeginRequest();
      bool closed = false;
      ret = this->process_request(stream, left == 1, closed,
                                  [peer](httplib::Request& req) { req.ssl = peer; });
      if (!ret || closed || stream.must_close()) break;
    }
    if (stream.over_cap() || (stream.must_close() && !stream.timed_out())) {
      LingeringClose(sock);
    } else if (ssl != nullptr && ret) {
      SSL_shutdown(ssl.get());
    }
    return ret;
  }

  const ServerLimits limits_;
  ConnectionGate gate_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeHardenedServer(const ServerLimits& limits,
                                                    std::function<bool(SSL_CTX&)> setup_tls) {
  if (!setup_tls) return std::make_unique<Hardened<httplib::Server>>(limits);
  return std::make_unique<Hardened<httplib::SSLServer>>(limits, std::move(setup_tls));
}

void DeepenAcceptBacklog(httplib::Server* server) {
  if (auto* control = dynamic_cast<BacklogControl*>(server)) control->DeepenBacklog();
}

}  // namespace microseg
