// Transport protocols that policy can name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace microseg {

enum class Protocol : uint8_t { kTCP, kUDP, kSCTP };

inline constexpr Protocol kAllProtocols[] = {Protocol::kTCP, Protocol::kUDP, Protocol::kSCTP};

std::string_view ProtocolName(Protocol p);                    // "TCP"
std::optional<Protocol> ParseProtocol(std::string_view text);  // exact "TCP", "UDP", "SCTP"
uint8_t IpProtocolNumber(Protocol p);                           // 6, 17, 132

}  // namespace microseg
