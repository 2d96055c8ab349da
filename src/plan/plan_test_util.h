// Builders for hand-made CompileInputs (no engine needed).
#pragma once

#include <string>
#include <vector>

#include "plan/compiler.h"

namespace microseg::plantest {

inline IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

inline Endpoint Ep(std::string name, const char* ip, IdentityId id = 1) {
  Endpoint e;
  e.kind = EndpointKind::kPod;
  e.name = std::move(name);
  e.ip = Ip(ip);
  e.has_ip = true;
  e.identity = id;
  return e;
}

inline EffectiveRule Rule(std::string policy, std::string rule, EffectiveRule::Action action,
                          std::vector<Endpoint> peers, std::vector<PortMatch> ports = {},
                          Tier tier = Tier::kApplication) {
  EffectiveRule r;
  r.tier = tier;
  r.action = action;
  r.policy_kind = tier == Tier::kAdmin ? "AdminNetworkPolicy" : "NetworkPolicy";
  r.policy = std::move(policy);
  r.rule = std::move(rule);
  r.peers.endpoints = std::move(peers);
  r.ports = std::move(ports);
  return r;
}

inline PolicyEngine::DirectionRules Rules(std::vector<EffectiveRule> rules, bool default_deny,
                                          Mode mode = Mode::kEnforced) {
  PolicyEngine::DirectionRules dr;
  dr.rules = std::move(rules);
  dr.default_deny = default_deny;
  dr.enforced = true;
  dr.mode = mode;
  return dr;
}

inline CompileInput::Local LocalOf(Endpoint e, PolicyEngine::DirectionRules ingress,
                                   PolicyEngine::DirectionRules egress = {}) {
  CompileInput::Local l;
  l.endpoint = std::move(e);
  l.ingress = std::move(ingress);
  l.egress = std::move(egress);
  return l;
}

}  // namespace microseg::plantest
