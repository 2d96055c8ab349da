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

#include "lab/socket_address.h"
#include "netns/netns.h"

namespace microseg::lab {

namespace {

// One listening socket in the calling thread's namespace, bound to `ip`
// ("0.0.0.0" for any IPv4 address, "::" for any IPv6 one). Returns -1 (and
// warns) when the kernel lacks the protocol.
Result<int> Listen(const std::string& what, const LabPort& port, const std::string& ip,
                   std::vector<std::string>* warnings) {
  bool datagram = port.protocol == Protocol::kUDP;
  int type = datagram ? SOCK_DGRAM : SOCK_STREAM;
  int proto = port.protocol == Protocol::kSCTP ? IPPROTO_SCTP : 0;
  bool v6 = IsIpv6Text(ip);
  int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) {
    if (warnings) warnings->push_back("no listener for " + what + ": " + std::strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // IPv6 only: the IPv4 side has a socket of its own.
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  socklen_t len;
  sockaddr_storage ss = SocketAddress(ip, port.port, &len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
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
    std::vector<std::string> ips;  // "0.0.0.0": any IPv4 address; "::": any IPv6 one
    const std::vector<LabPort>* ports;
  };
  std::vector<Want> wants;
  for (const LabPod& p : topology.pods) {
    wants.push_back({p.key, p.netns, {"0.0.0.0"}, &p.ports});
    if (!p.ip6.empty()) wants.push_back({p.key, p.netns, {"::"}, &p.ports});
  }
  for (const LabWorkload& w : topology.workloads) {
    std::vector<std::string> ips = w.ips;
    ips.insert(ips.end(), w.ips6.begin(), w.ips6.end());
    wants.push_back({w.key, w.netns, ips, &w.ports});
  }
  for (const LabNode& n : topology.nodes) {
    if (n.node_ip.empty()) continue;
    std::vector<std::string> ips = {n.node_ip};
    if (!n.node_ip6.empty()) ips.push_back(n.node_ip6);
    wants.push_back({"node/" + n.name, n.netns, ips, &n.ports});
  }
  // A node and a hostNetwork pod on it share an address: one socket serves both.
  std::set<std::tuple<std::string, std::string, Protocol, uint16_t>> opened;
  for (const Want& want : wants) {
    ScopedNetns in(want.netns);
    if (!in.status().ok()) return in.status();
    for (const LabPort& port : *want.ports) {
      for (const std::string& ip : want.ips) {
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
