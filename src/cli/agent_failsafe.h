// The agent's default failsafe ports: host ports its own table always
// leaves open, so enforcing on a host never cuts the agent off from what
// it needs (docs/DATAPLANE.md, failsafe ports).
#pragma once

#include <string>
#include <vector>

namespace microseg::cli {

// Inbound: ssh and the controller's agent-facing port.
std::vector<std::string> DefaultFailsafeInbound();

// Outbound: DNS, the Kubernetes API server and the controller: the port of
// `controller_url` (its scheme's default when it names none), or the
// controller's default port 7443 when the agent has no --controller (or
// the URL does not parse; the agent then fails on it anyway). "PROTO:PORT"
// specs, as --failsafe-out takes them.
std::vector<std::string> DefaultFailsafeOutbound(const std::string& controller_url);

}  // namespace microseg::cli
