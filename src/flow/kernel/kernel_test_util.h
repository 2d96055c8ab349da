// Test helpers for the collectors: a private network namespace, loopback
// traffic, an nft table of the test's own, a conntrack flush, and a sink
// that waits for records.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flow/flow_record.h"

namespace microseg::kernel_test {

// Runs `body` on a thread of its own in a fresh network namespace, which
// disappears (with its nft tables and conntrack entries) when the thread
// ends, also when an assertion fails.
inline void InPrivateNetns(const std::function<void()>& body) {
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
      return;
    }
    body();
  });
  t.join();
}

inline bool LoopbackUp() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(fd, SIOCGIFFLAGS, &req) == 0;
  req.ifr_flags |= IFF_UP;
  ok = ok && ioctl(fd, SIOCSIFFLAGS, &req) == 0;
  close(fd);
  return ok;
}

// Deletes every conntrack entry of this thread's namespace: each becomes a
// DESTROY event carrying its counters, at once rather than after its timeout.
inline bool FlushConntrack() {
  nfct_handle* h = nfct_open(CONNTRACK, 0);
  if (!h) return false;
  bool ok = true;
  for (uint32_t family : {uint32_t{AF_INET}, uint32_t{AF_INET6}}) {
    ok = nfct_query(h, NFCT_Q_FLUSH, &family) == 0 && ok;
  }
  nfct_close(h);
  return ok;
}

inline sockaddr_in Loopback4(uint16_t port, const char* ip = "127.0.0.1") {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// One UDP datagram from `src_ip` to `dst_ip:port` and its reply; true when
// both arrived. Addresses must be local (loopback or a dummy interface).
inline bool UdpExchange(const char* src_ip, const char* dst_ip, uint16_t port) {
  int server = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int client = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{2, 0};
  setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in at = Loopback4(port, dst_ip), from = Loopback4(0, src_ip);
  bool ok = bind(server, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0 &&
            bind(client, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0;
  char buf[64] = "ping";
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  ok = ok && sendto(client, buf, 4, 0, reinterpret_cast<sockaddr*>(&at), sizeof at) == 4;
  ok = ok && recvfrom(server, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len) == 4;
  ok = ok && sendto(server, buf, 4, 0, reinterpret_cast<sockaddr*>(&peer), len) == 4;
  ok = ok && recv(client, buf, sizeof buf, 0) == 4;
  close(server);
  close(client);
  return ok;
}

// A TCP connection carrying `bytes` bytes each way, then closed.
inline bool TcpExchange(const char* dst_ip, uint16_t port, size_t bytes) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in at = Loopback4(port, dst_ip);
  if (bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 || listen(listener, 1) != 0) {
    close(listener);
    return false;
  }
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = connect(client, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0;
  int server = ok ? accept(listener, nullptr, nullptr) : -1;
  std::vector<char> data(bytes, 'x');
  ok = ok && server >= 0 && send(client, data.data(), bytes, MSG_WAITALL) == static_cast<ssize_t>(bytes) &&
       recv(server, data.data(), bytes, MSG_WAITALL) == static_cast<ssize_t>(bytes) &&
       send(server, data.data(), bytes, 0) == static_cast<ssize_t>(bytes) &&
       recv(client, data.data(), bytes, MSG_WAITALL) == static_cast<ssize_t>(bytes);
  close(client);
  if (server >= 0) close(server);
  close(listener);
  return ok;
}

// A FlowSink that keeps what it gets and waits for a record.
class Records {
 public:
  void Add(FlowRecord&& r) {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(r));
    cv_.notify_all();
  }
  std::function<void(FlowRecord&&)> Sink() {
    return [this](FlowRecord&& r) { Add(std::move(r)); };
  }
  // The first record matching `pred`, waiting up to `timeout` (a bound so a
  // broken collector fails the test instead of hanging it).
  std::optional<FlowRecord> WaitFor(const std::function<bool(const FlowRecord&)>& pred,
                                    std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<FlowRecord> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const FlowRecord& r : records_) {
        if (pred(r)) {
          found = r;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<FlowRecord> All() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<FlowRecord> records_;
};

inline std::function<bool(const FlowRecord&)> Tuple(const char* src, const char* dst,
                                                    Protocol protocol, uint16_t port,
                                                    FlowVerdict verdict) {
  IpAddress s = *IpAddress::Parse(src), d = *IpAddress::Parse(dst);
  return [=](const FlowRecord& r) {
    return r.src == s && r.dst == d && r.protocol == protocol && r.port == port &&
           r.verdict == verdict;
  };
}

}  // namespace microseg::kernel_test
