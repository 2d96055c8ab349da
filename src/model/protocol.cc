#include "model/protocol.h"

namespace microseg {

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kTCP: return "TCP";
    case Protocol::kUDP: return "UDP";
    case Protocol::kSCTP: return "SCTP";
  }
  return "?";
}

std::optional<Protocol> ParseProtocol(std::string_view text) {
  if (text == "TCP") return Protocol::kTCP;
  if (text == "UDP") return Protocol::kUDP;
  if (text == "SCTP") return Protocol::kSCTP;
  return std::nullopt;
}

uint8_t IpProtocolNumber(Protocol p) {
  switch (p) {
    case Protocol::kTCP: return 6;
    case Protocol::kUDP: return 17;
    case Protocol::kSCTP: return 132;
  }
  return 0;
}

}  // namespace microseg
