#include "cli/agent_failsafe.h"

#include <gtest/gtest.h>

namespace microseg::cli {
namespace {

using Specs = std::vector<std::string>;

TEST(AgentFailsafe, OutboundKeepsTheControllerReachable) {
  struct Row {
    const char* description;
    std::string controller;
    Specs want;
  } rows[] = {
      {"no --controller: the controller's default port", "", {"udp:53", "tcp:6443", "tcp:7443"}},
      {"the URL's port", "https://10.0.0.5:8443", {"udp:53", "tcp:6443", "tcp:8443"}},
      {"http with a port", "http://127.0.0.1:7080", {"udp:53", "tcp:6443", "tcp:7080"}},
      {"https without a port: 443", "https://ctl.example", {"udp:53", "tcp:6443", "tcp:443"}},
      {"no scheme is https", "ctl.example:9000", {"udp:53", "tcp:6443", "tcp:9000"}},
      {"the API server's port is not repeated", "https://ctl:6443", {"udp:53", "tcp:6443"}},
  };
  for (const Row& r : rows) EXPECT_EQ(DefaultFailsafeOutbound(r.controller), r.want) << r.description;
}

}  // namespace
}  // namespace microseg::cli
