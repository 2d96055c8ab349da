// FlowRecord: one observation of traffic between two addresses.
//
// The unit every source produces: a flow file today, conntrack events and
// NFLOG (denied packets) on agents later. A record covers a time window and
// counts what was seen in it; it names addresses, not endpoints: identities
// are added by FlowEnricher against the policy model of the moment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip.h"
#include "model/protocol.h"

namespace microseg {

// What the dataplane did: allowed, dropped, or passed in visibility mode
// although policy would drop it.
enum class FlowVerdict : uint8_t { kAllow, kDeny, kWouldDeny };
inline constexpr int kFlowVerdictCount = 3;
inline constexpr FlowVerdict kAllFlowVerdicts[] = {FlowVerdict::kAllow, FlowVerdict::kDeny,
                                                   FlowVerdict::kWouldDeny};

std::string_view FlowVerdictName(FlowVerdict v);  // "allow", "deny", "would-deny"
std::optional<FlowVerdict> ParseFlowVerdict(std::string_view text);  // exact names above

struct FlowRecord {
  int64_t first = 0;  // window start, Unix seconds
  int64_t last = 0;   // window end (>= first)
  IpAddress src;
  IpAddress dst;
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;  // destination port
  FlowVerdict verdict = FlowVerdict::kAllow;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  // Connections (or logged packets) this record starts: an agent ships its
  // aggregates as records, so one record may carry many. 0 for a counter
  // update: the packets and bytes of connections counted by earlier records
  // (conntrack reports a connection when it starts, with flows 1, and its
  // counters when it ends, with flows 0), so merging both counts it once.
  uint64_t flows = 1;
  std::string node;  // the node whose agent observed it; "" when unknown
};

}  // namespace microseg
