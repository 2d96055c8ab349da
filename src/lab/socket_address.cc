#include "lab/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace microseg::lab {

sockaddr_storage SocketAddress(const std::string& ip, uint16_t port, socklen_t* len) {
  sockaddr_storage ss{};
  if (IsIpv6Text(ip)) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
    *len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
    *len = sizeof(sockaddr_in);
  }
  return ss;
}

}  // namespace microseg::lab
