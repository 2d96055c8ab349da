#include "flow/kernel/packet_header.h"

#include <arpa/inet.h>

namespace microseg {
namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

IpAddress V6(const uint8_t* p) {
  // IpAddress has no byte constructor; the text round trip is cheap next to
  // a netlink message per packet.
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, p, text, sizeof text);
  return *IpAddress::Parse(text);
}

std::optional<Protocol> TransportOf(uint8_t number) {
  switch (number) {
    case 6: return Protocol::kTCP;
    case 17: return Protocol::kUDP;
    case 132: return Protocol::kSCTP;
    default: return std::nullopt;
  }
}

// TCP, UDP and SCTP all start with the source and destination ports.
bool ReadPorts(const uint8_t* l4, size_t left, PacketTuple* t) {
  if (left < 4) return false;
  t->src_port = Be16(l4);
  t->dst_port = Be16(l4 + 2);
  return t->dst_port != 0;
}

std::optional<PacketTuple> ParseV4(const uint8_t* p, size_t size) {
  if (size < 20) return std::nullopt;
  size_t ihl = size_t{p[0] & 0x0fu} * 4;
  if (ihl < 20 || size < ihl) return std::nullopt;
  if ((Be16(p + 6) & 0x1fff) != 0) return std::nullopt;  // a later fragment: no ports
  auto protocol = TransportOf(p[9]);
  if (!protocol) return std::nullopt;
  PacketTuple t;
  t.protocol = *protocol;
  t.src = IpAddress::V4(static_cast<uint32_t>(p[12]) << 24 | p[13] << 16 | p[14] << 8 | p[15]);
  t.dst = IpAddress::V4(static_cast<uint32_t>(p[16]) << 24 | p[17] << 16 | p[18] << 8 | p[19]);
  t.length = Be16(p + 2);
  if (!ReadPorts(p + ihl, size - ihl, &t)) return std::nullopt;
  return t;
}

std::optional<PacketTuple> ParseV6(const uint8_t* p, size_t size) {
  if (size < 40) return std::nullopt;
  PacketTuple t;
  t.src = V6(p + 8);
  t.dst = V6(p + 24);
  t.length = uint64_t{Be16(p + 4)} + 40;
  uint8_t next = p[6];
  size_t off = 40;
  // Skip the extension headers a flow's first packet may carry.
  for (int hops = 0; hops < 8; ++hops) {
    if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (size < off + 8) return std::nullopt;
      next = p[off];
      off += (size_t{p[off + 1]} + 1) * 8;
    } else if (next == 44) {  // fragment
      if (size < off + 8) return std::nullopt;
      if ((Be16(p + off + 2) & 0xfff8) != 0) return std::nullopt;  // not the first fragment
      next = p[off];
      off += 8;
    } else {
      break;
    }
  }
  auto protocol = TransportOf(next);
  if (!protocol || size < off) return std::nullopt;
  t.protocol = *protocol;
  if (!ReadPorts(p + off, size - off, &t)) return std::nullopt;
  return t;
}

}  // namespace

std::optional<PacketTuple> ParseIpPacket(const uint8_t* data, size_t size) {
  if (size < 1) return std::nullopt;
  switch (data[0] >> 4) {
    case 4: return ParseV4(data, size);
    case 6: return ParseV6(data, size);
    default: return std::nullopt;
  }
}

std::optional<FlowVerdict> VerdictOfLogPrefix(std::string_view prefix) {
  if (prefix.starts_with("microseg would-deny ")) return FlowVerdict::kWouldDeny;
  if (prefix.starts_with("microseg deny ")) return FlowVerdict::kDeny;
  return std::nullopt;
}

}  // namespace microseg
