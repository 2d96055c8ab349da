// RulesFor flattens the tier logic for the dataplane; Check evaluates it
// directly. On random clusters, interpreting RulesFor the way the kernel
// will must give Check's verdict for every flow.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "policy/policy_engine.h"
#include "policy/test_builders.h"

namespace microseg {
namespace {

using namespace microseg::testing;  // NOLINT

bool PeerSetContains(const PeerSet& set, const Endpoint& peer) {
  if (set.any) return true;
  for (const Endpoint& e : set.endpoints) {
    if (e.ip == peer.ip) return true;
  }
  for (const AddressBlock& b : set.blocks) {
    if (!b.cidr.Contains(peer.ip)) continue;
    bool excepted = false;
    for (const Cidr& e : b.except) excepted |= e.Contains(peer.ip);
    if (!excepted) return true;
  }
  return false;
}

bool PortsMatch(const PolicyEngine& engine, const std::vector<PortMatch>& ports,
                const Endpoint& destination, Protocol protocol, uint16_t port) {
  if (ports.empty()) return true;
  for (const PortMatch& m : ports) {
    if (m.protocol != protocol) continue;
    switch (m.kind) {
      case PortMatch::Kind::kAllPorts: return true;
      case PortMatch::Kind::kRange:
        if (m.start <= port && port <= m.end) return true;
        break;
      case PortMatch::Kind::kNamed:
        if (engine.ResolveNamedPort(destination, m.name, protocol) == port) return true;
        break;
    }
  }
  return false;
}

// What the kernel does with one direction's compiled rules.
bool Interpret(const PolicyEngine& engine, const Endpoint& self, const Endpoint& peer,
               Direction d, Protocol protocol, uint16_t port) {
  PolicyEngine::DirectionRules compiled = engine.RulesFor(self, d);
  if (!compiled.enforced) return true;
  const Endpoint& destination = d == Direction::kIngress ? self : peer;
  bool passed = false;
  for (const EffectiveRule& r : compiled.rules) {
    if (passed && r.tier == Tier::kAdmin) continue;
    if (!PeerSetContains(r.peers, peer) || !PortsMatch(engine, r.ports, destination, protocol, port)) {
      continue;
    }
    if (r.action == EffectiveRule::Action::kPass) {
      passed = true;
      continue;
    }
    return r.action == EffectiveRule::Action::kAllow;
  }
  return !compiled.default_deny;
}

LabelSelector RandomSelector(std::mt19937& rng, const char* key, int values) {
  LabelSelector s;
  switch (rng() % 4) {
    case 0: break;  // empty: everything
    case 1: s.AddMatchLabel(key, std::to_string(rng() % values)); break;
    case 2: s.AddRequirement({key, LabelRequirement::Op::kNotIn, {std::to_string(rng() % values)}}); break;
    case 3: s.AddRequirement({key, LabelRequirement::Op::kExists, {}}); break;
  }
  return s;
}

std::vector<PortMatch> RandomPorts(std::mt19937& rng) {
  std::vector<PortMatch> ports;
  int n = rng() % 3;
  for (int i = 0; i < n; ++i) {
    switch (rng() % 3) {
      case 0: ports.push_back(PortMatch::Range(Protocol::kTCP, 80, 80 + rng() % 2)); break;
      case 1: ports.push_back(PortMatch::Named(rng() % 2 ? Protocol::kTCP : Protocol::kUDP, "p81")); break;
      case 2: ports.push_back(PortMatch::All(Protocol::kUDP)); break;
    }
  }
  return ports;
}

void BuildRandomCluster(PolicyEngine& engine, std::mt19937& rng) {
  for (int n = 0; n < 3; ++n) {
    engine.Upsert(Ns("ns" + std::to_string(n), L({{"team", std::to_string(rng() % 2)}})));
  }
  int ip = 1;
  for (int n = 0; n < 3; ++n) {
    for (int p = 0; p < 4; ++p) {
      Labels labels;
      if (rng() % 4) labels.Set("app", std::to_string(rng() % 3));
      Pod pod = MakePod("ns" + std::to_string(n), "p" + std::to_string(p), labels,
                        "10.0.0." + std::to_string(ip++),
                        {{"p81", 81, rng() % 2 ? Protocol::kTCP : Protocol::kUDP}});
      pod.node_name = "node-" + std::to_string(rng() % 3);
      engine.Upsert(pod);
    }
  }
  Workload vm;
  vm.name = "vm";
  vm.labels = L({{"app", "1"}});
  vm.ips = {*IpAddress::Parse("10.0.1.1")};
  vm.host = "vm";
  engine.Upsert(vm);
  for (int i = 0; i < 4; ++i) {
    std::string ns = "ns" + std::to_string(rng() % 3);
    std::vector<NetworkPolicyRule> rules;
    int nrules = rng() % 3;
    for (int r = 0; r < nrules; ++r) {
      NetworkPolicyRule rule;
      rule.ports = RandomPorts(rng);
      if (rng() % 3) {
        NetworkPolicyPeer peer;
        if (rng() % 2) peer.pod_selector = RandomSelector(rng, "app", 3);
        if (rng() % 2 || !peer.pod_selector) peer.namespace_selector = RandomSelector(rng, "team", 2);
        rule.peers.push_back(peer);
        if (rng() % 3 == 0) rule.peers.push_back(BlockPeer("10.0.0.0/29", {"10.0.0.4/31"}));
      }
      rules.push_back(rule);
    }
    NetworkPolicy np = Np(ns, "np" + std::to_string(i), RandomSelector(rng, "app", 3), rules);
    if (rng() % 2) {
      np.egress = rules;
      np.affects_egress = true;
      np.affects_ingress = rng() % 2;
    }
    engine.Upsert(np);
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<AdminRule> rules;
    for (int r = 0; r < 2; ++r) {
      auto action = static_cast<AdminAction>(rng() % 3);
      AdminPeer peer = rng() % 2 ? AdminNamespaces(RandomSelector(rng, "team", 2))
                                 : AdminPods(RandomSelector(rng, "team", 2), RandomSelector(rng, "app", 3));
      std::optional<std::vector<PortMatch>> ports;
      if (rng() % 2) ports = std::vector{PortMatch::Range(Protocol::kTCP, 80, 80)};
      rules.push_back(ARule("r" + std::to_string(r), action, {peer}, ports));
    }
    engine.Upsert(Anp("anp" + std::to_string(i), static_cast<int>(rng() % 5),
                      RandomSelector(rng, "team", 2), rules, rules));
  }
  AdminNetworkPolicy banp = Anp("default", 0, RandomSelector(rng, "team", 2),
                                {ARule("b", rng() % 2 ? AdminAction::kAllow : AdminAction::kDeny,
                                       {AdminNamespaces(RandomSelector(rng, "team", 2))})});
  banp.baseline = true;
  banp.egress = banp.ingress;
  engine.Upsert(banp);
  if (rng() % 2) {
    EnforcementMode m;
    m.name = "vms";
    m.scope.kinds = {EndpointKind::kWorkload};
    m.mode = Mode::kEnforced;
    engine.Upsert(m);
  }
  Ruleset rs;
  rs.name = "rs";
  rs.tier = static_cast<RulesetTier>(rng() % 3);
  rs.scope.selector = RandomSelector(rng, "app", 3);
  RulesetPeer peer;
  peer.selector = RandomSelector(rng, "app", 3);
  rs.ingress = {{"i", rng() % 2 ? RuleAction::kAllow : RuleAction::kDeny, {peer}, RandomPorts(rng)}};
  rs.egress = rs.ingress;
  engine.Upsert(rs);
}

TEST(RulesForTest, AgreesWithCheckOnRandomClusters) {
  size_t allowed = 0, denied = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    std::mt19937 rng(seed);
    PolicyEngine engine;
    BuildRandomCluster(engine, rng);
    std::vector<Endpoint> endpoints = engine.Endpoints(true);
    endpoints.push_back(*engine.Resolve("10.0.0.200"));
    for (const Endpoint& src : endpoints) {
      for (const Endpoint& dst : endpoints) {
        for (auto [protocol, port] : {std::pair{Protocol::kTCP, 80}, {Protocol::kTCP, 81},
                                      {Protocol::kUDP, 81}, {Protocol::kUDP, 53}}) {
          Verdict v = engine.Check(src, dst, protocol, static_cast<uint16_t>(port));
          ++(v.allowed() ? allowed : denied);
          bool egress = Interpret(engine, src, dst, Direction::kEgress, protocol, port);
          bool ingress = Interpret(engine, dst, src, Direction::kIngress, protocol, port);
          ASSERT_EQ(v.egress.allowed, egress)
              << "seed " << seed << " egress " << src.DisplayName() << " -> " << dst.DisplayName()
              << " " << ProtocolName(protocol) << "/" << port << ": " << v.egress.reason;
          ASSERT_EQ(v.ingress.allowed, ingress)
              << "seed " << seed << " ingress " << src.DisplayName() << " -> " << dst.DisplayName()
              << " " << ProtocolName(protocol) << "/" << port << ": " << v.ingress.reason;
        }
      }
    }
  }
  // The random clusters must exercise both outcomes to prove anything.
  EXPECT_GT(allowed, denied / 10);
  EXPECT_GT(denied, allowed / 10);
  std::cout << allowed << " allowed, " << denied << " denied\n";
}

}  // namespace
}  // namespace microseg

namespace microseg {
namespace {

std::string Describe(const PolicyEngine::DirectionRules& d) {
  std::string out = std::string(d.enforced ? "enforced" : "unenforced") +
                    (d.default_deny ? " default-deny " : " default-allow ") +
                    std::string(ModeName(d.mode)) + "\n";
  for (const EffectiveRule& r : d.rules) {
    out += std::string(TierName(r.tier)) + " " + std::to_string(static_cast<int>(r.action)) + " " +
           r.policy_kind + " " + r.policy + " " + r.rule + (r.peers.any ? " any" : "") + " [";
    std::vector<std::string> peers;
    for (const Endpoint& e : r.peers.endpoints) peers.push_back(e.DisplayName() + "@" + e.ip.ToString());
    for (const AddressBlock& b : r.peers.blocks) peers.push_back(b.cidr.ToString());
    std::sort(peers.begin(), peers.end());
    for (const auto& p : peers) out += p + " ";
    out += "] ports";
    for (const PortMatch& m : r.ports) out += " " + m.ToString();
    out += "\n";
  }
  return out;
}

TEST(SpanTest, AnEngineWithOnlyTheSpanCompilesTheSameRules) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    PolicyEngine full;
    BuildRandomCluster(full, rng);
    for (const char* node : {"node-0", "node-1", "node-2", "vm"}) {
      ObjectSet span = full.SpanFor(node);
      size_t span_size = span.size();
      PolicyEngine partial;
      partial.Load(std::move(span));
      std::vector<Endpoint> locals = full.LocalEndpoints(node);
      ASSERT_EQ(locals.size(), partial.LocalEndpoints(node).size()) << "seed " << seed;
      for (const Endpoint& local : locals) {
        auto same = partial.Resolve(local.ip.ToString());
        ASSERT_TRUE(same.ok());
        for (Direction d : {Direction::kIngress, Direction::kEgress}) {
          ASSERT_EQ(Describe(full.RulesFor(local, d)), Describe(partial.RulesFor(*same, d)))
              << "seed " << seed << " node " << node << " endpoint " << local.DisplayName()
              << " span of " << span_size << " objects";
        }
      }
    }
  }
}

}  // namespace
}  // namespace microseg
