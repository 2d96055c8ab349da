// The names microseg gives its nftables objects. Everything lives in one
// table, `inet microseg`; nothing outside it is ever read or written.
//
//   {in,eg}_local_v{4,6}        set  enforced local addresses (dispatch)
//   {in,eg}_default_v{4,6}      map  local address -> verdict when no rule decides
//   {in,eg}_peer_v{4,6}         map  peer address (hash) -> class mark (data, no verdicts)
//   {in,eg}_ranges_v{4,6}       map  peer address block (interval) -> class mark
//   {in,eg}_verdict_v{4,6}      map  (class mark . local addr . l4proto . dport) -> verdict
//   {in,eg}_allow/_deny/_log    chains: restore the packet mark, then the verdict
//   deny_log                    limit: rate of enforced-drop log messages, whole table
//   skel_<hash>                 empty chain: fingerprint of the table's fixed part
//
// The class of the peer travels in the packet mark (meta mark) from the peer
// lookup to the verdict lookup only; the packet's own mark is saved in the
// new connection's ct mark and restored before any verdict (see
// docs/DATAPLANE.md, "The packet mark").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip.h"
#include "plan/plan.h"
#include "policy/verdict.h"

namespace microseg::nft {

inline constexpr char kTable[] = "microseg";
inline constexpr char kFamily[] = "inet";
// Bumped whenever the fixed part of the table changes shape, so a new agent
// replaces a table written by an old one instead of patching it.
inline constexpr int kFormatVersion = 2;

// Class ids are 30-bit numbers (kNoneClass is 0), written as the mark
// 0x%08x. The two high bits of the scratch mark say how the
// packet's own mark was saved: kMarkCtPath, the flow already had a ct mark;
// kMarkUntrackedPath, no conntrack entry to save it in.
inline constexpr uint32_t kMarkClassMask = kClassIdMask;
inline constexpr uint32_t kMarkUntrackedPath = 0x40000000;
inline constexpr uint32_t kMarkCtPath = 0x80000000;

inline std::string_view Prefix(Direction d) { return d == Direction::kIngress ? "in" : "eg"; }
inline std::string_view FamilySuffix(IpFamily f) { return f == IpFamily::kV4 ? "_v4" : "_v6"; }

inline std::string LocalSet(Direction d, IpFamily f) {
  return std::string(Prefix(d)) + "_local" + std::string(FamilySuffix(f));
}
inline std::string DefaultMap(Direction d, IpFamily f) {
  return std::string(Prefix(d)) + "_default" + std::string(FamilySuffix(f));
}
inline std::string PeerMap(Direction d, IpFamily f) {
  return std::string(Prefix(d)) + "_peer" + std::string(FamilySuffix(f));
}
inline std::string RangeMap(Direction d, IpFamily f) {
  return std::string(Prefix(d)) + "_ranges" + std::string(FamilySuffix(f));
}
inline std::string VerdictMapName(Direction d, IpFamily f) {
  return std::string(Prefix(d)) + "_verdict" + std::string(FamilySuffix(f));
}
// The chains every verdict goes through: restore the mark, then act.
inline std::string AllowChain(Direction d) { return std::string(Prefix(d)) + "_allow"; }
inline std::string DenyChain(Direction d) { return std::string(Prefix(d)) + "_deny"; }
inline std::string LogChain(Direction d) { return std::string(Prefix(d)) + "_log"; }
inline constexpr char kRestoreChain[] = "restore_mark";
inline constexpr char kDenyLogLimit[] = "deny_log";

}  // namespace microseg::nft
