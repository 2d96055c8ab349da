// Hostile clients against an in-process controller on loopback
// (docs/CONTROLLER.md, "Limits"): chunked bodies past the cap, slow and
// idle connections, a slowloris, plus the bearer scheme's case, the modes
// of DATA_DIR's databases and the TLS 1.2 suites. Deadlines are short here
// so the suite stays fast; the bounds on waits are generous and scale with
// the machine's load.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Generous wait bounds, longer on a loaded machine.
milliseconds Patience(int64_t base_ms) {
  double load[1] = {0};
  const long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  const double factor = getloadavg(load, 1) == 1 ? std::max(1.0, load[0] / cpus) : 1.0;
  return milliseconds(static_cast<int64_t>(base_ms * factor));
}

// A blocking TCP connection to 127.0.0.1:port from `source` (any address
// in 127/8 is loopback, so clients can differ by IP); -1 on failure.
int Connect(int port, const char* source) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Whether the server closed `fd` (EOF or reset) within `bound`.
bool ClosedWithin(int fd, milliseconds bound) {
  const auto deadline = Clock::now() + bound;
  char buffer[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

// What the server answered on `fd` until it closed or `bound` passed.
std::string ReadAll(int fd, milliseconds bound) {
  const auto deadline = Clock::now() + bound;
  std::string out;
  char buffer[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      break;
    }
  }
  return out;
}

// Peak resident set of this process since ResetPeakRss(), in bytes.
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear.flush());
}

int64_t PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

class HostileClientTest : public ::testing::Test {
 protected:
  void Start(bool tls = false, int64_t timeouts_ms = 0) {
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_.path();
    options.tls = tls;
    options.max_body_bytes = 64 << 10;
    options.threads = 16;
    options.max_connections_per_ip = 4;
    options.request_timeout_ms = timeouts_ms > 0 ? timeouts_ms : 500;
    options.idle_timeout_ms = timeouts_ms > 0 ? timeouts_ms : 300;
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
  }

  // Sends a chunked body of up to `total` bytes to `path`, stopping once
  // the server answers or stops reading; returns the answer, and in `sent`
  // what was sent.
  std::string SendChunked(const std::string& path, bool with_token, size_t total, size_t* sent) {
    Fd fd(Connect(controller_->port(), "127.0.0.1"));
    EXPECT_GE(fd.get(), 0);
    std::string head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n";
    if (with_token) head += "Authorization: Bearer " + controller_->token() + "\r\n";
    head += "Content-Type: application/json\r\n\r\n";
    ::send(fd.get(), head.data(), head.size(), MSG_NOSIGNAL);
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
    *sent = 0;
    std::string pending;
    while (*sent < total) {
      pollfd p{fd.get(), POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(Patience(10'000).count())) <= 0) break;
      if (p.revents & (POLLIN | POLLERR | POLLHUP)) break;  // answered, or gone
      if (pending.empty()) pending = chunk;
      ssize_t n = ::send(fd.get(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) break;
      if (n > 0) {
        pending.erase(0, static_cast<size_t>(n));
        *sent += static_cast<size_t>(n);
      }
    }
    return ReadAll(fd.get(), Patience(10'000));
  }

  testing::TempDir data_;
  std::unique_ptr<Controller> controller_;
};

constexpr size_t kGiantBody = size_t{64} << 20;

TEST_F(HostileClientTest, ChunkedBodyOverTheCapIsRefusedOnAnAuthenticatedRoute) {
  Start();
  ASSERT_TRUE(ResetPeakRss());
  const int64_t before = PeakRss();
  size_t sent = 0;
  std::string answer = SendChunked("/api/v1/apply", true, kGiantBody, &sent);
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413") << answer.substr(0, 200);
  EXPECT_NE(answer.find("request body too large"), std::string::npos);
  EXPECT_LT(sent, kGiantBody);  // the server stopped reading
  // The body was never buffered: far less than the 64 MiB sent at it.
  EXPECT_LT(PeakRss() - before, int64_t{32} << 20);
}

TEST_F(HostileClientTest, ChunkedBodyOverTheCapIsRefusedOnTheEnrollRoute) {
  Start();
  ASSERT_TRUE(ResetPeakRss());
  const int64_t before = PeakRss();
  size_t sent = 0;
  std::string answer = SendChunked("/api/v1/agents/enroll", false, kGiantBody, &sent);
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413") << answer.substr(0, 200);
  EXPECT_LT(sent, kGiantBody);
  EXPECT_LT(PeakRss() - before, int64_t{32} << 20);
}

TEST_F(HostileClientTest, ChunkedBodyUnderTheCapIsServed) {
  Start();
  httplib::Client client(controller_->url());
  client.set_bearer_token_auth(controller_->token());
  std::string manifest = R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "deny", "namespace": "default"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})";
  // A content provider without a length makes httplib send it chunked.
  auto res = client.Post(
      "/api/v1/apply",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < manifest.size()) {
          sink.write(manifest.data() + offset, manifest.size() - offset);
        } else {
          sink.done();
        }
        return true;
      },
      "application/json");
  ASSERT_TRUE(res);
  EXPECT_LT(res->status, 300) << res->body;
}

TEST_F(HostileClientTest, DeclaredLengthOverTheCapIsRefusedBeforeTheBody) {
  Start();
  Fd fd(Connect(controller_->port(), "127.0.0.1"));
  ASSERT_GE(fd.get(), 0);
  std::string head =
      "POST /api/v1/agents/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n";
  ::send(fd.get(), head.data(), head.size(), MSG_NOSIGNAL);
  std::string answer = ReadAll(fd.get(), Patience(10'000));
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413") << answer.substr(0, 200);
}

// A request line and headers trickled one byte at a time: cut off after the
// request deadline (500 ms here), not kept alive by each byte.
void ExpectSlowlorisCutOff(int port, const std::string& opening, const std::string& trickle) {
  Fd fd(Connect(port, "127.0.0.1"));
  ASSERT_GE(fd.get(), 0);
  ::send(fd.get(), opening.data(), opening.size(), MSG_NOSIGNAL);
  const auto deadline = Clock::now() + Patience(30'000);
  bool cut_off = false;
  for (size_t i = 0; Clock::now() < deadline && !cut_off; ++i) {
    char byte = trickle[i % trickle.size()];
    cut_off = ::send(fd.get(), &byte, 1, MSG_NOSIGNAL) != 1 ||  // reset
              ClosedWithin(fd.get(), milliseconds(100));
  }
  EXPECT_TRUE(cut_off) << "a slow client was never cut off";
}

TEST_F(HostileClientTest, SlowlorisHeadersAreCutOffAtTheRequestDeadline) {
  Start();
  ExpectSlowlorisCutOff(controller_->port(), "GET /healthz HTTP/1.1\r\n", "X-Slow: abcdefgh\r\n");
}

TEST_F(HostileClientTest, SlowlorisTlsHandshakeIsCutOffAtTheRequestDeadline) {
  Start(/*tls=*/true);
  // A TLS record header announcing 16 KiB of handshake, then its bytes
  // one at a time.
  ExpectSlowlorisCutOff(controller_->port(), std::string("\x16\x03\x01\x40\x00", 5), "x");
}

TEST_F(HostileClientTest, SlowAndIdleClientsDoNotStarveHealthz) {
  Start();
  // 500 clients from one address (127.0.0.2), each holding a socket; more
  // file descriptors than the default soft limit may allow.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = std::max<rlim_t>(files.rlim_cur, std::min<rlim_t>(files.rlim_max, 4096));
  setrlimit(RLIMIT_NOFILE, &files);
  const size_t clients = std::min<size_t>(500, (files.rlim_cur - 64) / 2);
  std::vector<Fd> hostile;
  for (size_t i = 0; i < clients; ++i) {
    int fd = Connect(controller_->port(), "127.0.0.2");
    if (fd >= 0) hostile.emplace_back(fd);
  }
  ASSERT_GT(hostile.size(), clients / 2);
  // Odd ones stay idle; even ones send a header byte every 50 ms, and
  // reconnect when cut off, for as long as the test runs.
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    const std::string request = "GET /healthz HTTP/1.1\r\nX-Slow: ";
    size_t round = 0;
    while (!done) {
      for (size_t i = 0; i < hostile.size(); i += 2) {
        char byte = round < request.size() ? request[round] : 'a';
        if (::send(hostile[i].get(), &byte, 1, MSG_NOSIGNAL) != 1) {
          hostile[i] = Fd(Connect(controller_->port(), "127.0.0.2"));
        }
      }
      ++round;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  // A normal client (127.0.0.1) is answered, again and again.
  httplib::Client client(controller_->url());
  const auto bound = Patience(20'000);
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::seconds>(bound));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(bound));
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    auto res = client.Get("/healthz");
    if (res && res->status == 200) ++answered;
    std::this_thread::sleep_for(milliseconds(100));
  }
  done = true;
  trickle.join();
  EXPECT_EQ(answered, 10);
}

TEST_F(HostileClientTest, ConnectionsOverThePerIpCapAreClosedAtOnce) {
  Start(/*tls=*/false, /*timeouts_ms=*/600'000);
  // The cap is 4: four idle connections are admitted (and wait: the idle
  // timeout is long here); a fifth asking for /healthz is closed unserved.
  std::vector<Fd> held;
  for (int i = 0; i < 4; ++i) held.emplace_back(Connect(controller_->port(), "127.0.0.4"));
  // Admission happens on a server thread: let the four be admitted first.
  httplib::Client client(controller_->url());
  ASSERT_TRUE(client.Get("/healthz"));
  Fd fifth(Connect(controller_->port(), "127.0.0.4"));
  ASSERT_GE(fifth.get(), 0);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fifth.get(), request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer = ReadAll(fifth.get(), Patience(30'000));
  EXPECT_EQ(answer, "");  // closed, never served
}

TEST_F(HostileClientTest, BearerSchemeIsCaseInsensitive) {
  Start();
  httplib::Client client(controller_->url());
  for (const std::string scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR   "}) {
    auto res = client.Get("/api/v1/objects", {{"Authorization", scheme + controller_->token()}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << scheme << res->body;
  }
  for (const std::string bad : {"Bearer", "Bearerx ", "Basic "}) {
    auto res = client.Get("/api/v1/objects", {{"Authorization", bad + controller_->token()}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << bad;
  }
}

TEST_F(HostileClientTest, DatabasesAreOwnerOnly) {
  const mode_t old_umask = ::umask(022);
  Start();
  ::umask(old_umask);
  for (const char* name : {"state.db", "flows.db"}) {
    struct stat st {};
    ASSERT_EQ(::stat((data_.path() + "/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
}

TEST_F(HostileClientTest, DatabasesOfAnOlderReleaseAreNarrowed) {
  for (const char* name : {"state.db", "flows.db"}) {
    std::ofstream(data_.path() + "/" + name).flush();
    ::chmod((data_.path() + "/" + name).c_str(), 0644);
  }
  Start();
  for (const char* name : {"state.db", "flows.db"}) {
    struct stat st {};
    ASSERT_EQ(::stat((data_.path() + "/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
}

// A TLS 1.2 handshake offering only `ciphers`; the suite agreed, or "".
std::string Tls12Handshake(int port, const char* ciphers) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_security_level(ctx.get(), 0);  // let the client offer old suites
  if (SSL_CTX_set_cipher_list(ctx.get(), ciphers) != 1) return "bad cipher list";
  Fd fd(Connect(port, "127.0.0.1"));
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd.get());
  if (SSL_connect(ssl.get()) != 1) return "";
  std::string agreed = SSL_get_cipher_name(ssl.get());
  SSL_shutdown(ssl.get());
  return agreed;
}

TEST_F(HostileClientTest, Tls12OffersOnlyAeadSuitesWithForwardSecrecy) {
  Start(/*tls=*/true);
  EXPECT_EQ(Tls12Handshake(controller_->port(),
                           "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:"
                           "ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
                           "AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:AES128-GCM-SHA256:"
                           "AES256-GCM-SHA384"),
            "");
  const std::string agreed = Tls12Handshake(controller_->port(), "ALL");
  EXPECT_TRUE(agreed.rfind("ECDHE-", 0) == 0 && (agreed.find("GCM") != std::string::npos ||
                                                 agreed.find("CHACHA20") != std::string::npos))
      << agreed;
}

}  // namespace
}  // namespace microseg
