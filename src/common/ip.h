// IpAddress and Cidr: IPv4 and IPv6 values in one representation.
//
// An address is 128 bits; IPv4 is kept apart by family (not as a v4-mapped
// IPv6 address) so that 10.0.0.0/8 never matches ::a00:0. Values are cheap to
// copy, hashable and totally ordered.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace microseg {

enum class IpFamily : uint8_t { kV4 = 4, kV6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress V4(uint32_t host_order);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::kV4; }
  int bit_width() const { return is_v4() ? 32 : 128; }
  // Big-endian bytes; IPv4 uses the first 4.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  uint32_t v4_host_order() const;
  bool bit(int i) const { return (bytes_[i / 8] >> (7 - i % 8)) & 1; }

  // Keeps the first `prefix_len` bits, zeroes the rest.
  IpAddress Masked(int prefix_len) const;
  std::string ToString() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  IpFamily family_ = IpFamily::kV4;
  std::array<uint8_t, 16> bytes_{};
};

class Cidr {
 public:
  Cidr() = default;
  Cidr(IpAddress network, int prefix_len);
  // Accepts "10.0.0.0/8", "fd00::/64". Host bits must be zero, as the
  // Kubernetes API server requires for ipBlock.cidr.
  static std::optional<Cidr> Parse(std::string_view text, std::string* error = nullptr);
  static Cidr Host(const IpAddress& ip) { return Cidr(ip, ip.bit_width()); }

  const IpAddress& network() const { return network_; }
  int prefix_len() const { return prefix_len_; }
  IpFamily family() const { return network_.family(); }
  bool Contains(const IpAddress& ip) const;
  // True when every address of `other` is inside this block.
  bool Contains(const Cidr& other) const;
  std::string ToString() const;

  auto operator<=>(const Cidr&) const = default;

 private:
  IpAddress network_;
  int prefix_len_ = 0;
};

}  // namespace microseg

template <>
struct std::hash<microseg::IpAddress> {
  size_t operator()(const microseg::IpAddress& ip) const noexcept;
};
