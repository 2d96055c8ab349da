#include "lab/listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>

#include "lab/netns.h"

namespace microseg::lab {

namespace {

// One listening socket in the calling thread's namespace, bound to `ip`
// ("" for any address). Returns -1 (and warns) when the kernel lacks the
// protocol.
Result<int> Listen(const std::string& what, const LabPort& port, const std::string& ip,
                   std::vector<std::string>* warnings) {
  bool datagram = port.protocol == Protocol::kUDP;
  int type = datagram ? SOCK_DGRAM : SOCK_STREAM;
  int proto = port.protocol == Protocol::kSCTP ? IPPROTO_SCTP : 0;
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) {
    if (warnings) warnings->push_back("no listener for " + what + ": " + std::strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port.port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!ip.empty()) inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (!datagram && listen(fd, 128) != 0)) {
    std::string err = std::strerror(errno);
    close(fd);
    return Status::Error("cannot listen on " + what + ": " + err);
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<Listeners>> Listeners::Open(const LabTopology& topology,
                                                   std::vector<std::string>* warnings) {
  std::unique_ptr<Listeners> l(new Listeners());
  // A pod's namespace is its own: any address, which also survives MovePod.
  // Workloads that share a host listen on their own addresses only, each on
  // the ports it declares.
  struct Want {
    std::string key, netns;
    std::vector<std::string> ips;  // empty: any
    const std::vector<LabPort>* ports;
  };
  std::vector<Want> wants;
  for (const LabPod& p : topology.pods) wants.push_back({p.key, p.netns, {}, &p.ports});
  for (const LabWorkload& w : topology.workloads) wants.push_back({w.key, w.netns, w.ips, &w.ports});
  for (const LabNode& n : topology.nodes) {
    if (!n.node_ip.empty()) wants.push_back({"node/" + n.name, n.netns, {n.node_ip}, &n.ports});
  }
  // A node and a hostNetwork pod on it share an address: one socket serves both.
  std::set<std::tuple<std::string, std::string, Protocol, uint16_t>> opened;
  for (const Want& want : wants) {
    ScopedNetns in(want.netns);
    if (!in.status().ok()) return in.status();
    std::vector<std::string> ips = want.ips.empty() ? std::vector<std::string>{""} : want.ips;
    for (const LabPort& port : *want.ports) {
      for (const std::string& ip : ips) {
        if (!opened.insert({want.netns, ip, port.protocol, port.port}).second) continue;
        std::string what = want.key + " " + std::string(ProtocolName(port.protocol)) + "/" +
                           std::to_string(port.port);
        auto fd = Listen(what, port, ip, warnings);
        if (!fd.ok()) return fd.status();
        if (*fd >= 0) l->sockets_.push_back({*fd, port.protocol == Protocol::kUDP});
      }
    }
  }
  return l;
}

Listeners::~Listeners() {
  for (const Socket& s : sockets_) close(s.fd);
}

void Listeners::Serve() {
  std::vector<pollfd> fds;
  for (const Socket& s : sockets_) fds.push_back({s.fd, POLLIN, 0});
  char buf[2048];
  while (!stop_) {
    int n = poll(fds.data(), fds.size(), 100);
    if (n <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (sockets_[i].datagram) {
        sockaddr_storage from{};
        socklen_t len = sizeof(from);
        ssize_t got = recvfrom(fds[i].fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (got >= 0) sendto(fds[i].fd, buf, got, 0, reinterpret_cast<sockaddr*>(&from), len);
      } else {
        int c = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          (void)!write(c, "ok\n", 3);
          close(c);
        }
      }
    }
  }
}

}  // namespace microseg::lab
