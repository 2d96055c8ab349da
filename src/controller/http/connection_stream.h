// ConnectionStream: one accepted connection (plain or TLS) as the
// httplib::Stream the server parses requests from, with the limits httplib
// 0.11 lacks (docs/CONTROLLER.md, Limits):
//  - a total deadline per request: BeginRequest() arms it, and every read
//    (the TLS handshake, the request line, headers and body) fails once it
//    passes, however the client paces its bytes (slowloris);
//  - a cap on the bytes read per request (headers, body, chunk framing):
//    reads fail past it, so a chunked or length-less body is never buffered
//    beyond the cap.
// Reads and writes use a non-blocking socket and poll(2). One thread uses a
// stream; CurrentConnection() names the stream the calling server thread is
// serving, for the error handler (413, 408) and the pre-routing handler.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

namespace microseg {

class ConnectionStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `fd` stays owned by the caller; `ssl` (may be null) too. Waits end
  // early once `*listener` (the server's listening socket) is -1: the
  // server is stopping.
  ConnectionStream(int fd, SSL* ssl, size_t max_request_bytes,
                   std::chrono::milliseconds request_timeout,
                   std::chrono::milliseconds write_timeout, const std::atomic<int>* listener);

  // Arms the deadline and the byte cap for the next request.
  void BeginRequest();
  // TLS: the server handshake, within the armed deadline.
  bool Handshake();
  // Waits up to `idle` for the next request's first byte.
  bool WaitForRequest(std::chrono::milliseconds idle) const;

  bool over_cap() const { return over_cap_; }
  bool timed_out() const { return timed_out_; }
  // The connection must close after this response (a refused body is
  // still on the wire: reading on would parse it as requests).
  void CloseAfterResponse() { close_after_response_ = true; }
  bool must_close() const { return close_after_response_ || over_cap_ || timed_out_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

 private:
  // poll(2) for `events` until `deadline`; false on timeout or error.
  bool WaitUntil(short events, Clock::time_point deadline) const;

  const int fd_;
  SSL* const ssl_;
  const std::atomic<int>* const listener_;
  const size_t max_request_bytes_;
  const std::chrono::milliseconds request_timeout_;
  const std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_;
  size_t bytes_read_ = 0;
  bool over_cap_ = false;
  bool timed_out_ = false;
  bool close_after_response_ = false;
};

// The stream the calling thread serves, or null outside a request.
ConnectionStream* CurrentConnection();

// Sets CurrentConnection() for its lifetime.
class CurrentConnectionScope {
 public:
  explicit CurrentConnectionScope(ConnectionStream* stream);
  ~CurrentConnectionScope();
  CurrentConnectionScope(const CurrentConnectionScope&) = delete;
  CurrentConnectionScope& operator=(const CurrentConnectionScope&) = delete;

 private:
  ConnectionStream* previous_;
};

// "IP" of a connected socket's peer (IPv4-mapped IPv6 as IPv4); "" on error.
std::string PeerAddress(int fd);

}  // namespace microseg
