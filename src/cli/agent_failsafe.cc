#include "cli/agent_failsafe.h"

#include <algorithm>

#include "kube/api_client.h"

namespace microseg::cli {

constexpr int kControllerDefaultPort = 7443;

std::vector<std::string> DefaultFailsafeInbound() { return {"tcp:22", "tcp:9443"}; }

std::vector<std::string> DefaultFailsafeOutbound(const std::string& controller_url) {
  std::vector<std::string> out = {"udp:53", "tcp:6443"};
  int port = kControllerDefaultPort;
  if (!controller_url.empty()) {
    // The client config takes a URL without a scheme as https.
    std::string url = controller_url.find("://") == std::string::npos ? "https://" + controller_url
                                                                      : controller_url;
    if (auto parsed = kube::ParseServerUrl(url); parsed.ok()) port = parsed->port;
  }
  std::string controller = "tcp:" + std::to_string(port);
  if (std::find(out.begin(), out.end(), controller) == out.end()) out.push_back(controller);
  return out;
}

}  // namespace microseg::cli
