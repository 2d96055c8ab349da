// Plan: what one enforcement point (a node or a host) must enforce, as plain
// data that tests inspect and the renderer turns into nftables.
//
// The dataplane is identity-based. Every address the node's policy can name
// is mapped to a *peer class*: the set of addresses this node's rules cannot
// tell apart (same rules' peers, same named-port resolutions, same address
// blocks). A class is named by a hash of that signature, so its name depends
// on current state only and stays put while pods come and go. Per class and
// direction, verdicts keyed by (local address, protocol, port) hold the
// outcome of evaluating the local endpoint's ordered rules (tiers, Pass,
// first match) at compile time (the kernel keeps them in one map keyed by
// (class . local . protocol . port)). Per packet: a lookup of the peer's
// class and one verdict lookup, whatever the number of policies or workloads.
//
// Addresses (/32, /128) live in hash maps; address blocks become disjoint
// ranges in separate interval maps; a host address overrides a block.
// See docs/DATAPLANE.md.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/protocol.h"
#include "model/ruleset.h"
#include "plan/address_range.h"
#include "policy/policy_engine.h"

namespace microseg {

// What the dataplane does with a new flow in one direction.
enum class PlanVerdict : uint8_t {
  kAllow,
  kDeny,
  kLogDeny,  // visibility mode: would be denied; logged (NFLOG) and let through
};
std::string_view PlanVerdictName(PlanVerdict v);  // "allow", "deny", "log-deny"

// One element of a class verdict map: a local address and a box of
// (IP protocol number range, destination port range). Boxes of one local
// address never overlap (nftables interval maps reject overlaps).
struct VerdictKey {
  IpAddress local;
  uint8_t proto_first = 0, proto_last = 0;
  uint16_t port_first = 0, port_last = 0;
  auto operator<=>(const VerdictKey&) const = default;
};
using VerdictMap = std::map<VerdictKey, PlanVerdict>;

// A peer class's id: a number in 0..kClassIdMask (the dataplane carries it
// in 30 bits of the packet mark; the renderer prints it).
using ClassId = uint32_t;
inline constexpr ClassId kNoneClass = 0;  // addresses no rule names
inline constexpr ClassId kClassIdMask = 0x3fffffff;

struct PeerClass {
  VerdictMap verdicts;  // only entries that differ from the local default
  bool operator==(const PeerClass&) const = default;
};

// Everything one direction needs. Ingress: local = destination, peer =
// source. Egress: local = source, peer = destination.
struct DirectionPlan {
  std::set<IpAddress> local;                     // enforced local addresses
  std::map<IpAddress, PlanVerdict> defaults;     // per local address: no rule decided
  std::map<IpAddress, ClassId> peer_hosts;        // address -> class id
  std::map<AddressRange, ClassId> peer_ranges;   // disjoint blocks -> class id
  std::map<ClassId, PeerClass> classes;          // by id; always holds kNoneClass
  bool operator==(const DirectionPlan&) const = default;
};

struct FailsafePort {
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;
  auto operator<=>(const FailsafePort&) const = default;
};

// Options that shape the table itself (its "skeleton").
struct PlanOptions {
  // Host lifeline (Calico's failsafe ports): always accepted to / from the
  // host itself, before any policy. Default: ssh and the agent's port.
  std::vector<FailsafePort> failsafe_inbound = {{Protocol::kTCP, 22}, {Protocol::kTCP, 9443}};
  std::vector<FailsafePort> failsafe_outbound = {{Protocol::kUDP, 53}, {Protocol::kTCP, 6443}};
  uint16_t log_group = 100;  // NFLOG group for would-deny (visibility) and denied flows
  // Enforced drops of new connections are logged to `log_group` too, at most
  // this many messages per second for the whole table (a flood cannot
  // swamp the collector); 0: enforced drops are silent.
  uint32_t deny_log_rate = 100;
  bool operator==(const PlanOptions&) const = default;
};

struct PlanEndpoint {
  std::string name;  // Endpoint::DisplayName()
  EndpointKind kind = EndpointKind::kPod;
  std::vector<IpAddress> ips;
  std::vector<IdentityId> identities;  // one per ip
  Mode mode = Mode::kEnforced;
  bool ingress_enforced = false, egress_enforced = false;
  bool operator==(const PlanEndpoint&) const = default;
};

struct Plan {
  std::string node;
  PlanOptions options;
  std::vector<PlanEndpoint> endpoints;  // sorted by name
  DirectionPlan ingress, egress;

  const DirectionPlan& direction(Direction d) const {
    return d == Direction::kIngress ? ingress : egress;
  }
  DirectionPlan& direction(Direction d) { return d == Direction::kIngress ? ingress : egress; }
  // The verdict the plan gives a new flow: what the kernel should do. For
  // tests and `explain`; mirrors the nft lookups exactly.
  PlanVerdict Evaluate(Direction d, const IpAddress& local, const IpAddress& peer,
                       uint8_t ip_protocol, uint16_t port) const;
  size_t ElementCount() const;
  bool operator==(const Plan&) const = default;
};

}  // namespace microseg
