#include "plan/address_range.h"

#include <algorithm>
#include <cstdio>

namespace microseg {
namespace {

AddressValue Increment(AddressValue v) {
  if (++v.lo == 0) ++v.hi;
  return v;
}
AddressValue Decrement(AddressValue v) {
  if (v.lo-- == 0) --v.hi;
  return v;
}
AddressValue MaxValue(IpFamily family) {
  return family == IpFamily::kV4 ? AddressValue{0, 0xffffffffULL} : AddressValue{~0ULL, ~0ULL};
}

}  // namespace

AddressValue ToValue(const IpAddress& ip) {
  if (ip.is_v4()) return {0, ip.v4_host_order()};
  AddressValue v;
  const auto& b = ip.bytes();
  for (int i = 0; i < 8; ++i) v.hi = (v.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) v.lo = (v.lo << 8) | b[i];
  return v;
}

IpAddress FromValue(IpFamily family, AddressValue value) {
  if (family == IpFamily::kV4) return IpAddress::V4(static_cast<uint32_t>(value.lo));
  char text[48];
  std::snprintf(text, sizeof(text), "%x:%x:%x:%x:%x:%x:%x:%x",
                static_cast<unsigned>(value.hi >> 48) & 0xffff,
                static_cast<unsigned>(value.hi >> 32) & 0xffff,
                static_cast<unsigned>(value.hi >> 16) & 0xffff,
                static_cast<unsigned>(value.hi) & 0xffff,
                static_cast<unsigned>(value.lo >> 48) & 0xffff,
                static_cast<unsigned>(value.lo >> 32) & 0xffff,
                static_cast<unsigned>(value.lo >> 16) & 0xffff,
                static_cast<unsigned>(value.lo) & 0xffff);
  return *IpAddress::Parse(text);  // well-formed by construction
}

AddressRange AddressRange::Of(const Cidr& cidr) {
  const IpAddress& net = cidr.network();
  AddressValue v = ToValue(net);
  int host_bits = net.bit_width() - cidr.prefix_len();
  AddressValue mask;  // host-bit mask
  if (host_bits >= 128) {
    mask = {~0ULL, ~0ULL};
  } else if (host_bits >= 64) {
    mask = {(host_bits == 64) ? 0 : ((1ULL << (host_bits - 64)) - 1), ~0ULL};
  } else {
    mask = {0, host_bits == 0 ? 0 : ((1ULL << host_bits) - 1)};
  }
  AddressValue last{v.hi | mask.hi, v.lo | mask.lo};
  return {net, FromValue(net.family(), last)};
}

bool AddressRange::IsCidr(Cidr* out) const {
  AddressValue a = ToValue(first), b = ToValue(last);
  AddressValue x{a.hi ^ b.hi, a.lo ^ b.lo};
  // first..last is a CIDR iff x is 0...01...1 and first has those bits 0, last 1.
  int host_bits = 0;
  if (x.hi != 0) {
    if (x.lo != ~0ULL || (x.hi & (x.hi + 1)) != 0) return false;
    host_bits = 64 + __builtin_popcountll(x.hi);
  } else {
    if ((x.lo & (x.lo + 1)) != 0) return false;
    host_bits = __builtin_popcountll(x.lo);
  }
  if ((a.hi & x.hi) != 0 || (a.lo & x.lo) != 0) return false;
  if (out) *out = Cidr(first, first.bit_width() - host_bits);
  return true;
}

std::string AddressRange::ToString() const {
  Cidr c;
  if (IsCidr(&c)) return c.ToString();
  return first.ToString() + "-" + last.ToString();
}

std::vector<AddressRange> Normalize(std::vector<AddressRange> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<AddressRange> out;
  for (const AddressRange& r : ranges) {
    if (!out.empty() && out.back().last.family() == r.first.family()) {
      AddressValue end = ToValue(out.back().last);
      if (end == MaxValue(r.first.family()) || ToValue(r.first) <= Increment(end)) {
        if (ToValue(r.last) > end) out.back().last = r.last;
        continue;
      }
    }
    out.push_back(r);
  }
  return out;
}

std::vector<AddressRange> Subtract(const AddressRange& block, std::vector<AddressRange> holes) {
  holes = Normalize(std::move(holes));
  IpFamily family = block.first.family();
  std::vector<AddressRange> out;
  AddressValue cursor = ToValue(block.first), end = ToValue(block.last);
  bool done = false;
  for (const AddressRange& h : holes) {
    if (done || h.first.family() != family) continue;
    AddressValue hs = ToValue(h.first), he = ToValue(h.last);
    if (he < cursor || hs > end) continue;
    if (hs > cursor) out.push_back({FromValue(family, cursor), FromValue(family, Decrement(hs))});
    if (he >= end) {
      done = true;
    } else {
      cursor = Increment(he);
    }
  }
  if (!done) out.push_back({FromValue(family, cursor), FromValue(family, end)});
  return out;
}

}  // namespace microseg
