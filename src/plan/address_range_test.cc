#include "plan/address_range.h"

#include <gtest/gtest.h>

namespace microseg {
namespace {

AddressRange R(const char* cidr) { return AddressRange::Of(*Cidr::Parse(cidr)); }

std::vector<std::string> Texts(const std::vector<AddressRange>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.ToString());
  return out;
}

TEST(AddressRangeTest, CidrRoundTrip) {
  EXPECT_EQ(R("10.0.0.0/8").last.ToString(), "10.255.255.255");
  EXPECT_EQ(R("10.0.0.0/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(R("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(R("fd00::/64").last.ToString(), "fd00::ffff:ffff:ffff:ffff");
  EXPECT_EQ(R("::/0").ToString(), "::/0");
  EXPECT_EQ(R("fd00::1/128").ToString(), "fd00::1/128");
}

TEST(AddressRangeTest, SubtractLeavesHoles) {
  EXPECT_EQ(Texts(Subtract(R("10.0.0.0/8"), {R("10.0.0.0/9")})), (std::vector<std::string>{"10.128.0.0/9"}));
  EXPECT_EQ(Texts(Subtract(R("10.0.0.0/30"), {R("10.0.0.1/32"), R("10.0.0.2/32")})),
            (std::vector<std::string>{"10.0.0.0/32", "10.0.0.3/32"}));
  EXPECT_TRUE(Subtract(R("10.0.0.0/8"), {R("0.0.0.0/0")}).empty());
  EXPECT_EQ(Texts(Subtract(R("::/0"), {R("8000::/1")})), (std::vector<std::string>{"::/1"}));
}

TEST(AddressRangeTest, NormalizeMergesAdjacentAndOverlapping) {
  EXPECT_EQ(Texts(Normalize({R("10.0.1.0/24"), R("10.0.0.0/24"), R("10.0.0.128/25")})),
            (std::vector<std::string>{"10.0.0.0/23"}));
  EXPECT_EQ(Texts(Normalize({R("255.255.255.255/32"), R("255.255.255.254/32")})),
            (std::vector<std::string>{"255.255.255.254/31"}));
}

}  // namespace
}  // namespace microseg
