// The names microseg gives its nftables objects. Everything lives in one
// table, `inet microseg`; nothing outside it is ever read or written.
//
//   {in,eg}_local_v{4,6}        set  enforced local addresses (dispatch)
//   {in,eg}_default_v{4,6}      map  local address -> verdict when no rule decides
//   {in,eg}_peer_v{4,6}         map  peer address (hash) -> goto class chain
//   {in,eg}_ranges_v{4,6}       map  peer address block (interval) -> goto class chain
//   {in,eg}_c_<id>_v{4,6}       map  (local addr . l4proto . dport) -> verdict, per class
//   {in,eg}_c_<id>              chain per class: one lookup, then the default
//   skel_<hash>                 empty chain: fingerprint of the table's fixed part
#pragma once

#include <string>
#include <string_view>

#include "common/ip.h"
#include "policy/verdict.h"

namespace microseg::nft {

inline constexpr char kTable[] = "microseg";
inline constexpr char kFamily[] = "inet";
// Bumped whenever the fixed part of the table changes shape, so a new agent
// replaces a table written by an old one instead of patching it.
inline constexpr int kFormatVersion = 1;

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
inline std::string ClassChain(Direction d, std::string_view id) {
  return std::string(Prefix(d)) + "_c_" + std::string(id);
}
inline std::string ClassMap(Direction d, std::string_view id, IpFamily f) {
  return ClassChain(d, id) + std::string(FamilySuffix(f));
}

}  // namespace microseg::nft
