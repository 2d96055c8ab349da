#include "lab/listeners.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lab/netns.h"

namespace microseg::lab {

Result<std::unique_ptr<Listeners>> Listeners::Open(const LabTopology& topology,
                                                   std::vector<std::string>* warnings) {
  std::unique_ptr<Listeners> l(new Listeners());
  for (const LabPod& pod : topology.pods) {
    ScopedNetns in(pod.netns);
    if (!in.status().ok()) return in.status();
    for (const LabPort& port : pod.ports) {
      bool datagram = port.protocol == Protocol::kUDP;
      int type = datagram ? SOCK_DGRAM : SOCK_STREAM;
      int proto = port.protocol == Protocol::kSCTP ? IPPROTO_SCTP : 0;
      int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
      std::string what = pod.key + " " + std::string(ProtocolName(port.protocol)) + "/" +
                         std::to_string(port.port);
      if (fd < 0) {
        if (warnings) warnings->push_back("no listener for " + what + ": " + std::strerror(errno));
        continue;
      }
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port.port);
      addr.sin_addr.s_addr = htonl(INADDR_ANY);
      if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
          (!datagram && listen(fd, 128) != 0)) {
        std::string err = std::strerror(errno);
        close(fd);
        return Status::Error("cannot listen on " + what + ": " + err);
      }
      l->sockets_.push_back({fd, datagram});
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
