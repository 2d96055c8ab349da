// The controller's HTTP framing under hostile bytes: a HardenedServer (the
// connection loop every controller request goes through) on loopback gets
// each input as one connection's bytes, framed three ways by the first byte:
//   0: raw — the input is the whole stream (request line, headers, body);
//   1: chunked — a POST whose body is the input cut into chunks, the chunk
//      sizes and extensions taken from the input, honest or not;
//   2: length — a POST whose Content-Length is taken from the input.
// The server must never crash, hang, leak or buffer past its cap, and must
// answer every request it answers with a well-formed status line. An honest
// chunked body is the oracle: it is answered 200 with its exact size when
// it fits the cap, 413 when it does not; never anything else.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <chrono>
#include <cerrno>

#include "controller/http/hardened_server.h"

namespace {

constexpr size_t kMaxBody = 4096;

struct Server {
  std::unique_ptr<httplib::Server> http;
  int port = 0;
};

Server& TheServer() {
  static Server* server = [] {
    auto* s = new Server();
    microseg::ServerLimits limits;
    limits.max_body_bytes = kMaxBody;
    limits.request_timeout = std::chrono::milliseconds(2000);
    limits.idle_timeout = std::chrono::milliseconds(200);
    limits.max_connections = 4;
    limits.max_connections_per_ip = 4;
    s->http = microseg::MakeHardenedServer(limits, nullptr);
    s->http->Post("/body", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()), "text/plain");
    });
    s->port = s->http->bind_to_any_port("127.0.0.1");
    if (s->port <= 0) {
      std::fprintf(stderr, "http_framing_fuzzer: cannot bind on loopback\n");
      std::abort();
    }
    std::thread([s] { s->http->listen_after_bind(); }).detach();
    return s;
  }();
  return *server;
}

// Sends `bytes` on a new connection, closes the sending side, and returns
// everything the server answered before it closed (bounded in time).
std::string Exchange(const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  // Each connection from its own loopback address: the server closes first,
  // and its TIME_WAIT sockets would exhaust one address's ports in seconds.
  static uint32_t next_source = 0;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(0x7f000000u | (1u + next_source++ % 0xfffffdu));
  if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(TheServer().port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int connected;
  do {
    connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } while (connected != 0 && (errno == EINTR || errno == EALREADY));
  if (connected != 0 && errno != EISCONN) {  // EISCONN: done while interrupted
    std::fprintf(stderr, "http_framing_fuzzer: cannot connect to the server: %s\n", std::strerror(errno));
    std::abort();
  }
  // The server may close early (413, a parse error): a failed send is fine.
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[4096];
  // libFuzzer's timers interrupt system calls (EINTR): only the clock ends a wait.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    // The request deadline (2 s) bounds the server; a hang past it is a bug.
    if (left.count() <= 0) {
      std::fprintf(stderr, "http_framing_fuzzer: no answer or close within 5 s (sent %zu of %zu bytes, %zu answered: %.80s)\n",
                   sent, bytes.size(), reply.size(), reply.c_str());
      std::abort();
    }
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above decides
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
    if (reply.size() > (1 << 20)) std::abort();  // never a reply this big
  }
  close(fd);
  return reply;
}

const char kChunkedHead[] = "POST /body HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n";

// The input as a chunked body: each chunk takes one byte for its length
// (0-255) and one for its framing: honest, a lying size, or an extension.
// Returns whether the framing is honest throughout.
bool ChunkedBody(const uint8_t* data, size_t size, std::string* out, size_t* body_size) {
  bool honest = true;
  *body_size = 0;
  size_t i = 0;
  char hex[32];
  while (i + 2 <= size) {
    size_t len = data[i];
    uint8_t framing = data[i + 1];
    i += 2;
    len = std::min(len, size - i);
    if (len == 0) break;  // a zero-size chunk would end the body
    size_t declared = len;
    if (framing % 8 == 1) {
      declared = len + 1 + framing / 8;  // longer than what follows
      honest = false;
    } else if (framing % 8 == 2) {
      declared = len / 2;  // shorter
      honest = false;
    }
    std::snprintf(hex, sizeof(hex), "%zx", declared);
    *out += hex;
    if (framing % 8 == 3) *out += ";ext=value";
    if (framing % 8 == 4) {
      *out += "\n";  // bare LF
      honest = false;
    } else {
      *out += "\r\n";
    }
    out->append(reinterpret_cast<const char*>(data + i), len);
    *out += "\r\n";
    *body_size += len;
    i += len;
  }
  *out += "0\r\n\r\n";
  return honest;
}

void CheckStatusLine(const std::string& reply) {
  if (reply.empty()) return;  // closed without a word: allowed for garbage
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) {
    std::fprintf(stderr, "http_framing_fuzzer: malformed reply: %.40s\n", reply.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0] % 3;
  ++data;
  --size;
  if (mode == 0) {
    CheckStatusLine(Exchange(std::string(reinterpret_cast<const char*>(data), size)));
  } else if (mode == 1) {
    std::string body;
    size_t body_size = 0;
    bool honest = ChunkedBody(data, size, &body, &body_size);
    std::string reply = Exchange(kChunkedHead + body);
    CheckStatusLine(reply);
    if (honest) {
      // Inputs stay far below the wire cap (kMaxBody plus the headers'
      // allowance), so the body cap alone decides.
      size_t wire = body.size();
      bool fits = body_size <= kMaxBody;
      bool ok = reply.rfind("HTTP/1.1 200", 0) == 0 &&
                reply.size() >= std::to_string(body_size).size() &&
                reply.compare(reply.size() - std::to_string(body_size).size(), std::string::npos,
                              std::to_string(body_size)) == 0;
      bool refused = reply.rfind("HTTP/1.1 413", 0) == 0;
      if (fits ? !ok : !refused) {
        std::fprintf(stderr, "http_framing_fuzzer: honest chunked body of %zu bytes (%zu on the wire): %.60s\n",
                     body_size, wire, reply.c_str());
        std::abort();
      }
    }
  } else {
    // Content-Length from the first 4 bytes, which may lie either way.
    uint32_t length = 0;
    for (size_t i = 0; i < 4 && i < size; ++i) length = length << 8 | data[i];
    size_t skip = std::min<size_t>(4, size);
    std::string request = "POST /body HTTP/1.1\r\nHost: f\r\nContent-Length: " + std::to_string(length) +
                          "\r\n\r\n" + std::string(reinterpret_cast<const char*>(data + skip), size - skip);
    CheckStatusLine(Exchange(request));
  }
  return 0;
}
