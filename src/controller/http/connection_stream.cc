#include "controller/http/connection_stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

namespace microseg {
namespace {

thread_local ConnectionStream* current_connection = nullptr;

void AddressOf(const sockaddr_storage& addr, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a4->sin_addr, text, sizeof text);
    *port = ntohs(a4->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
    }
    *port = ntohs(a6->sin6_port);
  }
  *ip = text;
}

}  // namespace

ConnectionStream::ConnectionStream(int fd, SSL* ssl, size_t max_request_bytes,
                                   std::chrono::milliseconds request_timeout,
                                   std::chrono::milliseconds write_timeout,
                                   const std::atomic<int>* listener)
    : fd_(fd),
      ssl_(ssl),
      listener_(listener),
      max_request_bytes_(max_request_bytes),
      request_timeout_(request_timeout),
      write_timeout_(write_timeout),
      deadline_(Clock::now() + request_timeout) {}

void ConnectionStream::BeginRequest() {
  deadline_ = Clock::now() + request_timeout_;
  bytes_read_ = 0;
}

bool ConnectionStream::WaitUntil(short events, Clock::time_point deadline) const {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || *listener_ < 0) return false;
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 200)));
    if (n > 0) return true;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR) return false;
  }
}

bool ConnectionStream::Handshake() {
  for (;;) {
    ERR_clear_error();
    int r = SSL_accept(ssl_);
    if (r == 1) return true;
    int e = SSL_get_error(ssl_, r);
    short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) return false;
    if (!WaitUntil(events, deadline_)) {
      timed_out_ = true;
      return false;
    }
  }
}

bool ConnectionStream::WaitForRequest(std::chrono::milliseconds idle) const {
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
  return WaitUntil(POLLIN, Clock::now() + idle);
}

bool ConnectionStream::is_readable() const {
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
  return WaitUntil(POLLIN, deadline_);
}

bool ConnectionStream::is_writable() const {
  return WaitUntil(POLLOUT, Clock::now() + write_timeout_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (bytes_read_ >= max_request_bytes_) {
    over_cap_ = true;
    return -1;
  }
  size = std::min(size, max_request_bytes_ - bytes_read_);
  for (;;) {
    short events = POLLIN;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int r = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      if (r > 0) {
        bytes_read_ += static_cast<size_t>(r);
        return r;
      }
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) return 0;
      if (e == SSL_ERROR_WANT_WRITE) {
        events = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        return -1;
      }
    } else {
      ssize_t n = ::recv(fd_, ptr, size, MSG_DONTWAIT);
      if (n >= 0) {
        bytes_read_ += static_cast<size_t>(n);
        return n;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
    if (!WaitUntil(events, deadline_)) {
      timed_out_ = true;
      return -1;
    }
  }
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  // A slow reader gets write_timeout per write, as with httplib's streams;
  // long responses (watches) are many writes.
  const Clock::time_point deadline = Clock::now() + write_timeout_;
  for (;;) {
    short events = POLLOUT;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int r = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      if (r > 0) return r;
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ) {
        events = POLLIN;
      } else if (e != SSL_ERROR_WANT_WRITE) {
        return -1;
      }
    } else {
      ssize_t n = ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
    if (!WaitUntil(events, deadline)) return -1;
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ip.clear();
  port = 0;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, &ip, &port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ip.clear();
  port = 0;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, &ip, &port);
}

ConnectionStream* CurrentConnection() { return current_connection; }

CurrentConnectionScope::CurrentConnectionScope(ConnectionStream* stream)
    : previous_(current_connection) {
  current_connection = stream;
}

CurrentConnectionScope::~CurrentConnectionScope() { current_connection = previous_; }

std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  std::string ip;
  int port = 0;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, &ip, &port);
  return ip;
}

}  // namespace microseg
