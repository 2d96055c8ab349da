#include "flow/kernel/packet_header.h"

#include <gtest/gtest.h>

#include <vector>

namespace microseg {
namespace {

std::vector<uint8_t> V4Packet(uint8_t proto, uint16_t dport, uint16_t frag = 0) {
  std::vector<uint8_t> p = {0x45, 0, 0, 60, 0, 0, static_cast<uint8_t>(frag >> 8),
                            static_cast<uint8_t>(frag), 64, proto, 0, 0,
                            10, 0, 1, 1,  // src
                            10, 0, 2, 1};  // dst
  std::vector<uint8_t> l4 = {0x30, 0x39, static_cast<uint8_t>(dport >> 8),
                             static_cast<uint8_t>(dport), 0, 0, 0, 0};
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

TEST(PacketHeaderTest, ParsesIpv4Transports) {
  for (auto [number, protocol] : {std::pair{uint8_t{6}, Protocol::kTCP},
                                  std::pair{uint8_t{17}, Protocol::kUDP},
                                  std::pair{uint8_t{132}, Protocol::kSCTP}}) {
    auto p = V4Packet(number, 5432);
    auto t = ParseIpPacket(p.data(), p.size());
    ASSERT_TRUE(t);
    EXPECT_EQ(t->src.ToString(), "10.0.1.1");
    EXPECT_EQ(t->dst.ToString(), "10.0.2.1");
    EXPECT_EQ(t->protocol, protocol);
    EXPECT_EQ(t->src_port, 12345);
    EXPECT_EQ(t->dst_port, 5432);
    EXPECT_EQ(t->length, 60u);  // from the header, not the copied bytes
  }
}

TEST(PacketHeaderTest, RejectsWhatIsNotAFlow) {
  auto icmp = V4Packet(1, 0);
  EXPECT_FALSE(ParseIpPacket(icmp.data(), icmp.size()));
  auto later_fragment = V4Packet(17, 53, 0x00b9);
  EXPECT_FALSE(ParseIpPacket(later_fragment.data(), later_fragment.size()));
  auto p = V4Packet(6, 80);
  EXPECT_FALSE(ParseIpPacket(p.data(), 22));  // ports cut off
  EXPECT_FALSE(ParseIpPacket(p.data(), 0));
  uint8_t junk[40] = {0x20};
  EXPECT_FALSE(ParseIpPacket(junk, sizeof junk));
}

TEST(PacketHeaderTest, ParsesIpv6WithExtensionHeaders) {
  std::vector<uint8_t> p(40, 0);
  p[0] = 0x60;
  p[5] = 16;  // payload length: 8 (hop-by-hop) + 8 (UDP)
  p[6] = 0;   // hop-by-hop
  p[8] = 0xfd;
  p[23] = 1;  // fd00::1
  p[24] = 0xfd;
  p[39] = 2;  // fd00::2
  std::vector<uint8_t> hbh = {17, 0, 1, 4, 0, 0, 0, 0};
  std::vector<uint8_t> udp = {0, 53, 0x01, 0xbb, 0, 8, 0, 0};
  p.insert(p.end(), hbh.begin(), hbh.end());
  p.insert(p.end(), udp.begin(), udp.end());
  auto t = ParseIpPacket(p.data(), p.size());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->src.ToString(), "fd00::1");
  EXPECT_EQ(t->dst.ToString(), "fd00::2");
  EXPECT_EQ(t->protocol, Protocol::kUDP);
  EXPECT_EQ(t->dst_port, 443);
  EXPECT_EQ(t->length, 56u);
}

TEST(PacketHeaderTest, VerdictOfPrefix) {
  EXPECT_EQ(VerdictOfLogPrefix("microseg would-deny ingress: "), FlowVerdict::kWouldDeny);
  EXPECT_EQ(VerdictOfLogPrefix("microseg would-deny egress: "), FlowVerdict::kWouldDeny);
  EXPECT_EQ(VerdictOfLogPrefix("microseg deny ingress: "), FlowVerdict::kDeny);
  EXPECT_FALSE(VerdictOfLogPrefix("iptables: "));
  EXPECT_FALSE(VerdictOfLogPrefix(""));
}

}  // namespace
}  // namespace microseg
