// Parsing the headers of a logged packet (NFLOG payload: the IP header
// first) into the flow tuple, and the log prefix into a verdict.
//
// Pure functions over bytes, apart from the collector, so they are tested
// without a kernel. Only what a flow record needs is read: addresses, the
// transport protocol (TCP, UDP, SCTP; others are not flows of the model),
// the destination port and the packet's length as the IP header states it
// (the kernel may copy fewer bytes than the packet holds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "flow/flow_record.h"

namespace microseg {

struct PacketTuple {
  IpAddress src, dst;
  Protocol protocol = Protocol::kTCP;
  uint16_t src_port = 0, dst_port = 0;
  uint64_t length = 0;  // bytes of the IP packet
};

// nullopt for truncated packets, non-first fragments, other protocols.
std::optional<PacketTuple> ParseIpPacket(const uint8_t* data, size_t size);

// The prefixes microseg's nft table logs with (src/render/nft/renderer.cc):
// "microseg would-deny ingress: ", "microseg would-deny egress: ", and
// "microseg deny ingress: " / "... egress: " for enforced drops. Other
// prefixes (other tools logging to the same group) are nullopt.
std::optional<FlowVerdict> VerdictOfLogPrefix(std::string_view prefix);

}  // namespace microseg
