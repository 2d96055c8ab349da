#include "common/ip.h"

#include <gtest/gtest.h>

namespace microseg {
namespace {

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(IpAddress::Parse("10.1.2.3")->ToString(), "10.1.2.3");
  EXPECT_EQ(IpAddress::Parse("fd00:0::1")->ToString(), "fd00::1");
  EXPECT_FALSE(IpAddress::Parse("10.1.2"));
  EXPECT_FALSE(IpAddress::Parse("010.1.2.3"));
  EXPECT_FALSE(IpAddress::Parse(""));
  EXPECT_FALSE(IpAddress::Parse("fd00::1::2"));
  EXPECT_NE(*IpAddress::Parse("::a00:1"), *IpAddress::Parse("10.0.0.1")) << "families differ";
}

TEST(CidrTest, ParseValidatesPrefixAndHostBits) {
  std::string error;
  EXPECT_EQ(Cidr::Parse("10.0.0.0/8")->ToString(), "10.0.0.0/8");
  EXPECT_FALSE(Cidr::Parse("10.0.0.1/8", &error));
  EXPECT_EQ(error, "host bits must be zero (did you mean 10.0.0.0/8?)");
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/33", &error));
  EXPECT_EQ(error, "invalid prefix length in CIDR");
  EXPECT_FALSE(Cidr::Parse("10.0.0.0", &error));
  EXPECT_EQ(error, "expected a CIDR like 10.0.0.0/8");
  EXPECT_TRUE(Cidr::Parse("::/0"));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0"));
}

TEST(CidrTest, Contains) {
  Cidr net = *Cidr::Parse("10.0.0.0/24");
  EXPECT_TRUE(net.Contains(*IpAddress::Parse("10.0.0.255")));
  EXPECT_FALSE(net.Contains(*IpAddress::Parse("10.0.1.0")));
  EXPECT_TRUE(net.Contains(*Cidr::Parse("10.0.0.128/25")));
  EXPECT_FALSE(net.Contains(*Cidr::Parse("10.0.0.0/23")));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains(*IpAddress::Parse("1.2.3.4")));
  EXPECT_FALSE(Cidr::Parse("0.0.0.0/0")->Contains(*IpAddress::Parse("::1")));
  EXPECT_TRUE(Cidr::Parse("fd00::/8")->Contains(*IpAddress::Parse("fdff::1")));
}

}  // namespace
}  // namespace microseg
