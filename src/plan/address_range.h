// AddressRange: an inclusive range of IP addresses of one family, and the
// interval arithmetic the compiler needs to turn address blocks with
// exceptions (ipBlock.except, IPList.except) into disjoint ranges.
//
// nftables interval sets hold ranges, not CIDRs with holes, and reject
// overlapping elements; every function here returns sorted, disjoint,
// non-adjacent-merged ranges so the renderer can emit them as they are.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "common/ip.h"

namespace microseg {

// A 128-bit unsigned integer view of an address (IPv4 in the low 32 bits).
struct AddressValue {
  uint64_t hi = 0, lo = 0;
  auto operator<=>(const AddressValue&) const = default;
};
AddressValue ToValue(const IpAddress& ip);
IpAddress FromValue(IpFamily family, AddressValue value);

struct AddressRange {
  IpAddress first, last;  // same family, first <= last

  static AddressRange Of(const Cidr& cidr);
  // "10.0.0.0/8" when the range is exactly one CIDR block, else "a-b".
  std::string ToString() const;
  // The CIDR this range is, when it is one.
  bool IsCidr(Cidr* out = nullptr) const;
  auto operator<=>(const AddressRange&) const = default;
};

// `block` minus every range of `holes` (any order, may overlap).
std::vector<AddressRange> Subtract(const AddressRange& block, std::vector<AddressRange> holes);
// Sorts and merges overlapping or adjacent ranges.
std::vector<AddressRange> Normalize(std::vector<AddressRange> ranges);

}  // namespace microseg
