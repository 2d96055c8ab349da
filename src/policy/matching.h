// Matching of peers and ports against a concrete endpoint (internal).
//
// Each function answers for one rule element and, when `why` is non-null,
// says in a short phrase why it did or did not match (for `explain`).
#pragma once

#include <string>

#include "policy/engine_state.h"

namespace microseg {

bool MatchNetworkPolicyPeer(const PolicyEngine::State& s, const NetworkPolicy& policy,
                            const NetworkPolicyPeer& peer, const Endpoint& other, std::string* why);
bool MatchAdminPeer(const PolicyEngine::State& s, const AdminPeer& peer, const Endpoint& other,
                    std::string* why);
bool MatchRulesetPeer(const PolicyEngine::State& s, const RulesetPeer& peer, const Endpoint& other,
                      std::string* why);

// `destination` owns the named ports. Admin policy named ports carry no
// protocol in the API: `any_protocol_name` makes them match a container
// port of that name whatever its protocol (the flow's protocol must still
// equal the container port's).
bool MatchPort(const PolicyEngine::State& s, const PortMatch& match, Protocol protocol,
               uint16_t port, const Endpoint& destination, bool any_protocol_name);
bool MatchPorts(const PolicyEngine::State& s, const std::vector<PortMatch>& ports,
                Protocol protocol, uint16_t port, const Endpoint& destination,
                bool any_protocol_name, std::string* why);

}  // namespace microseg
