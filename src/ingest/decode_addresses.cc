// IP addresses and CIDR blocks.
#include <charconv>

#include "ingest/decode_common.h"

namespace microseg {

namespace {

// "10.0.0.1/24" -> 10.0.0.0/24, reusing Cidr::Parse's checks on the result.
std::optional<Cidr> ParseMasked(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<IpAddress> ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  int len = -1;
  auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || ptr != len_text.data() + len_text.size() || len < 0 ||
      len > ip->bit_width()) {
    return std::nullopt;
  }
  return Cidr::Parse(ip->Masked(len).ToString() + "/" + std::string(len_text));
}

}  // namespace

Status DecodeIp(const Field& field, IpAddress* ip) {
  if (!field.present()) return Status::Ok();
  std::string text;
  MICROSEG_RETURN_IF_ERROR(field.ReadString(&text));
  std::optional<IpAddress> parsed = IpAddress::Parse(text);
  if (!parsed) return field.Error("invalid IP address " + Quote(text));
  *ip = *parsed;
  return Status::Ok();
}

Status DecodeCidr(const Field& field, CidrOptions options, Cidr* cidr) {
  if (!field.present()) return Status::Ok();
  std::string text;
  MICROSEG_RETURN_IF_ERROR(field.ReadString(&text));
  if (options.allow_bare_ip && text.find('/') == std::string::npos) {
    std::optional<IpAddress> ip = IpAddress::Parse(text);
    if (!ip) return field.Error("invalid IP address or CIDR " + Quote(text));
    *cidr = Cidr::Host(*ip);
    return Status::Ok();
  }
  std::string why;
  std::optional<Cidr> parsed = Cidr::Parse(text, &why);
  if (!parsed && options.mask_host_bits) parsed = ParseMasked(text);
  if (!parsed) return field.Error("invalid CIDR " + Quote(text) + ": " + why);
  *cidr = *parsed;
  return Status::Ok();
}

}  // namespace microseg
