#include "common/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace microseg {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    // inet_pton rejects leading zeros ("010.0.0.1") as the API server does.
    if (inet_pton(AF_INET, buf, ip.bytes_.data()) != 1) return std::nullopt;
    ip.family_ = IpFamily::kV4;
  } else {
    if (inet_pton(AF_INET6, buf, ip.bytes_.data()) != 1) return std::nullopt;
    ip.family_ = IpFamily::kV6;
  }
  return ip;
}

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress ip;
  ip.family_ = IpFamily::kV4;
  ip.bytes_[0] = host_order >> 24;
  ip.bytes_[1] = host_order >> 16;
  ip.bytes_[2] = host_order >> 8;
  ip.bytes_[3] = host_order;
  return ip;
}

uint32_t IpAddress::v4_host_order() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         bytes_[3];
}

IpAddress IpAddress::Masked(int prefix_len) const {
  IpAddress out = *this;
  for (int i = 0; i < 16; ++i) {
    int keep = prefix_len - i * 8;
    if (keep >= 8) continue;
    out.bytes_[i] = keep <= 0 ? 0 : static_cast<uint8_t>(out.bytes_[i] & (0xff << (8 - keep)));
  }
  return out;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

Cidr::Cidr(IpAddress network, int prefix_len) : network_(network), prefix_len_(prefix_len) {}

std::optional<Cidr> Cidr::Parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Cidr> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail("expected a CIDR like 10.0.0.0/8");
  auto ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip) return fail("invalid IP address in CIDR");
  std::string_view len_text = text.substr(slash + 1);
  int len = -1;
  auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || ptr != len_text.data() + len_text.size() || len < 0 ||
      len > ip->bit_width() || (len_text.size() > 1 && len_text[0] == '0')) {
    return fail("invalid prefix length in CIDR");
  }
  if (ip->Masked(len) != *ip) {
    return fail("host bits must be zero (did you mean " + ip->Masked(len).ToString() + "/" +
                std::to_string(len) + "?)");
  }
  return Cidr(*ip, len);
}

bool Cidr::Contains(const IpAddress& ip) const {
  return ip.family() == family() && ip.Masked(prefix_len_) == network_;
}

bool Cidr::Contains(const Cidr& other) const {
  return other.family() == family() && other.prefix_len_ >= prefix_len_ &&
         Contains(other.network_);
}

std::string Cidr::ToString() const { return network_.ToString() + "/" + std::to_string(prefix_len_); }

}  // namespace microseg

size_t std::hash<microseg::IpAddress>::operator()(const microseg::IpAddress& ip) const noexcept {
  uint64_t a, b;
  std::memcpy(&a, ip.bytes().data(), 8);
  std::memcpy(&b, ip.bytes().data() + 8, 8);
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + static_cast<uint64_t>(ip.family()));
  return static_cast<size_t>(h ^ (h >> 29));
}
