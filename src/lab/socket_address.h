// The socket address of an IPv4 or IPv6 address text and a port, for the
// lab's probes (connect, bind the source) and listeners (bind).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace microseg::lab {

// `ip` is IPv6 when it holds a ':' ("::" is any IPv6 address, "0.0.0.0"
// any IPv4 one). `*len` is the size to pass to bind/connect.
sockaddr_storage SocketAddress(const std::string& ip, uint16_t port, socklen_t* len);

inline bool IsIpv6Text(const std::string& ip) { return ip.find(':') != std::string::npos; }

}  // namespace microseg::lab
