// Random clusters for the plan-vs-engine differential test and fuzzer
// (test-only, header-only: the production library does not carry it).
//
// A cluster is drawn from a stream of bytes (a fuzzer's input, or a seeded
// PRNG's output); when the bytes run out every choice takes its first
// option, so any input yields a valid, small cluster. Addresses come from
// small fixed pools so selectors, blocks and named ports collide often.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/object_set.h"
#include "policy/test_builders.h"

namespace microseg::plantest {

class Entropy {
 public:
  Entropy(const uint8_t* data, size_t size) : data_(data, data + size) {}
  static Entropy Seeded(uint64_t seed, size_t size = 2048) {
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> bytes(size);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    return Entropy(bytes.data(), bytes.size());
  }
  // A number in [0, n).
  uint32_t Below(uint32_t n) {
    if (n <= 1) return 0;
    uint32_t v = pos_ < data_.size() ? data_[pos_++] : 0;
    if (n > 256 && pos_ < data_.size()) v = (v << 8) | data_[pos_++];
    return v % n;
  }
  bool Percent(uint32_t p) { return Below(100) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& options) {
    return options[Below(static_cast<uint32_t>(options.size()))];
  }

 private:
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
};

// Ports rules and containers use: none is a default failsafe port (22,
// 9443, 53, 6443), which the model does not know about.
inline const std::vector<uint16_t>& PortPool() {
  static const std::vector<uint16_t> pool = {80, 81, 443, 8080, 8081, 9000};
  return pool;
}
inline const std::vector<std::string>& PortNames() {
  static const std::vector<std::string> names = {"http", "metrics", "serve-80-tcp"};
  return names;
}
inline const std::vector<Protocol>& Protocols() {
  static const std::vector<Protocol> p = {Protocol::kTCP, Protocol::kUDP, Protocol::kSCTP};
  return p;
}

// Addresses outside every pod, node and workload, inside and outside the
// pools' blocks: the externals the differential test also probes.
inline std::vector<IpAddress> ExternalProbes() {
  std::vector<IpAddress> out;
  for (const char* t : {"10.0.0.200", "10.0.1.200", "192.168.7.7", "8.8.8.8", "fd00::200", "2001:db8::1"}) {
    out.push_back(*IpAddress::Parse(t));
  }
  return out;
}

class ClusterGenerator {
 public:
  struct Options {
    bool ip_conflicts = false;  // see Generate
  };
  explicit ClusterGenerator(Entropy* e) : e_(*e) {}
  ClusterGenerator(Entropy* e, Options options) : e_(*e), options_(options) {}

  ObjectSet Generate() {
    using namespace microseg::testing;
    ObjectSet o;
    int namespaces = 1 + static_cast<int>(e_.Below(3));
    for (int i = 0; i < namespaces; ++i) {
      o.namespaces.push_back(Ns("ns" + std::to_string(i), L({{"team", e_.Pick(Teams())}})));
    }
    int nodes = 1 + static_cast<int>(e_.Below(3));
    for (int i = 0; i < nodes; ++i) {
      if (!e_.Percent(30)) continue;  // most nodes are just names pods run on
      Node n;
      n.name = NodeName(i);
      n.labels = L({{"role", e_.Pick(Teams())}});
      n.ips.push_back(IpAddress::V4(0x0afe0000u + static_cast<uint32_t>(i + 1)));  // 10.254.0.x
      o.nodes.push_back(std::move(n));
    }
    int pods = 2 + static_cast<int>(e_.Below(6));
    for (int i = 0; i < pods; ++i) {
      Pod p = MakePod("ns" + std::to_string(e_.Below(namespaces)), "p" + std::to_string(i),
                      RandomLabels(), "");
      p.node_name = NodeName(static_cast<int>(e_.Below(nodes)));
      p.ips.push_back(IpAddress::V4(0x0a000000u + (e_.Below(2) << 8) + static_cast<uint32_t>(i + 1)));
      if (e_.Percent(25)) p.ips.push_back(*IpAddress::Parse("fd00::" + std::to_string(i + 1)));
      p.ports = RandomContainerPorts();
      if (e_.Percent(8)) p.ips.clear();  // not scheduled yet: no address
      o.pods.push_back(std::move(p));
    }
    // A finished pod whose address a running pod took over: it holds no
    // address for policy (Pod::HoldsIps).
    if (e_.Percent(20) && !o.pods.front().ips.empty()) {
      Pod done = MakePod("ns0", "done", RandomLabels(), "");
      done.ips = o.pods.front().ips;
      done.phase = e_.Percent(50) ? "Succeeded" : "Failed";
      done.node_name = NodeName(static_cast<int>(e_.Below(nodes)));
      done.ports = RandomContainerPorts();
      o.pods.push_back(std::move(done));
    }
    // Two running pods claiming one address: ownership is the agent's item
    // (issue 10, items 2-3: one owner per address, the most recent claim
    // wins); off unless asked for.
    if (options_.ip_conflicts && e_.Percent(30) && o.pods.size() >= 2 && !o.pods[0].ips.empty()) {
      o.pods[1].ips = {o.pods[0].ips.front()};
    }
    if (e_.Percent(40)) {
      Service svc;
      svc.namespace_name = "ns" + std::to_string(e_.Below(namespaces));
      svc.name = "svc";
      svc.selector = RandomSelector();
      o.services.push_back(std::move(svc));
    }
    int workloads = static_cast<int>(e_.Below(3));
    for (int i = 0; i < workloads; ++i) {
      Workload w;
      w.name = "w" + std::to_string(i);
      w.labels = RandomLabels();
      w.ips.push_back(IpAddress::V4(0x0a000300u + static_cast<uint32_t>(i + 1)));  // 10.0.3.x
      if (e_.Percent(30)) {
        w.unmanaged = true;
      } else {
        w.host = NodeName(static_cast<int>(e_.Below(nodes)));
      }
      w.ports = RandomContainerPorts();
      o.workloads.push_back(std::move(w));
    }
    if (e_.Percent(40)) {
      IpList l;
      l.name = "list";
      l.cidrs.push_back(e_.Pick(Blocks()));
      if (l.cidrs[0].prefix_len() <= 16 && l.cidrs[0].network().family() == IpFamily::kV4 && e_.Percent(50)) {
        l.except.push_back(*Cidr::Parse("10.0.1.0/28"));
      }
      o.ip_lists.push_back(std::move(l));
    }
    int nps = static_cast<int>(e_.Below(5));
    for (int i = 0; i < nps; ++i) o.network_policies.push_back(RandomNetworkPolicy(i, namespaces));
    int anps = static_cast<int>(e_.Below(3));
    for (int i = 0; i < anps; ++i) o.admin_network_policies.push_back(RandomAdmin(i, false));
    if (e_.Percent(30)) o.baseline_admin_network_policy = RandomAdmin(0, true);
    int rulesets = static_cast<int>(e_.Below(3));
    for (int i = 0; i < rulesets; ++i) {
      o.rulesets.push_back(RandomRuleset(i, !o.ip_lists.empty(), o.services.empty() ? nullptr : &o.services[0]));
    }
    if (e_.Percent(25)) {
      EnforcementMode m;
      m.name = "visibility";
      m.scope = RandomScope();
      m.mode = Mode::kVisibility;
      o.enforcement_modes.push_back(std::move(m));
    }
    return o;
  }

  static std::string NodeName(int i) { return "node-" + std::to_string(i + 1); }

 private:
  static const std::vector<std::string>& Teams() {
    static const std::vector<std::string> t = {"a", "b"};
    return t;
  }
  static const std::vector<std::string>& Apps() {
    static const std::vector<std::string> a = {"web", "db", "cache"};
    return a;
  }
  static const std::vector<Cidr>& Blocks() {
    static const std::vector<Cidr> b = {*Cidr::Parse("0.0.0.0/0"),   *Cidr::Parse("10.0.0.0/16"),
                                        *Cidr::Parse("10.0.1.0/24"), *Cidr::Parse("10.0.0.0/30"),
                                        *Cidr::Parse("192.168.0.0/16"), *Cidr::Parse("::/0"),
                                        *Cidr::Parse("fd00::/64")};
    return b;
  }

  Labels RandomLabels() {
    Labels l;
    l.Set("app", e_.Pick(Apps()));
    if (e_.Percent(50)) l.Set("tier", e_.Pick(Teams()));
    return l;
  }

  // Names unique per endpoint: Check matches any container port of the
  // name while ResolveNamedPort takes the first, and Kubernetes rejects
  // duplicate port names in a pod anyway.
  std::vector<ContainerPort> RandomContainerPorts() {
    std::vector<ContainerPort> out;
    for (const std::string& name : PortNames()) {
      if (!e_.Percent(45)) continue;
      out.push_back({name, e_.Pick(PortPool()), e_.Percent(75) ? Protocol::kTCP : e_.Pick(Protocols())});
    }
    return out;
  }

  LabelSelector RandomSelector() {
    LabelSelector s;
    switch (e_.Below(4)) {
      case 0: break;  // everything
      case 1: s.AddMatchLabel("app", e_.Pick(Apps())); break;
      case 2: s.AddMatchLabel("tier", e_.Pick(Teams())); break;
      default: s.AddMatchLabel("team", e_.Pick(Teams())); break;
    }
    return s;
  }

  PortMatch RandomPort() {
    Protocol p = e_.Percent(70) ? Protocol::kTCP : e_.Pick(Protocols());
    switch (e_.Below(4)) {
      case 0: return PortMatch::Named(p, e_.Pick(PortNames()));
      case 1: {
        uint16_t a = e_.Pick(PortPool());
        return PortMatch::Range(p, a, a);
      }
      case 2: {  // endPort
        uint16_t a = e_.Pick(PortPool()), b = e_.Pick(PortPool());
        return PortMatch::Range(p, std::min(a, b), std::max(a, b));
      }
      default: return PortMatch::All(p);
    }
  }

  std::vector<PortMatch> RandomPorts(uint32_t empty_percent) {
    std::vector<PortMatch> out;
    if (e_.Percent(empty_percent)) return out;
    int n = 1 + static_cast<int>(e_.Below(2));
    for (int i = 0; i < n; ++i) out.push_back(RandomPort());
    return out;
  }

  IpBlock RandomIpBlock() {
    IpBlock b;
    b.cidr = e_.Pick(Blocks());
    if (b.cidr.network().family() == IpFamily::kV4 && b.cidr.prefix_len() <= 24 && e_.Percent(40)) {
      b.except.push_back(*Cidr::Parse(b.cidr.prefix_len() <= 16 ? "10.0.1.0/24" : "10.0.1.0/28"));
      if (b.cidr.prefix_len() == 0) b.except.push_back(*Cidr::Parse("10.0.0.0/30"));
    }
    return b;
  }

  NetworkPolicy RandomNetworkPolicy(int i, int namespaces) {
    NetworkPolicy np;
    np.namespace_name = "ns" + std::to_string(e_.Below(namespaces));
    // Names repeat: in two namespaces they are two policies; in one, the
    // later replaces the earlier (Load upserts), as an update would.
    np.name = "np" + std::to_string(i % 3);
    np.pod_selector = RandomSelector();
    uint32_t types = e_.Below(3);  // ingress, egress, both
    np.affects_ingress = types != 1;
    np.affects_egress = types != 0;
    for (auto* rules : {&np.ingress, &np.egress}) {
      int n = static_cast<int>(e_.Below(3));  // 0: an empty list isolates
      for (int r = 0; r < n; ++r) {
        NetworkPolicyRule rule;
        rule.ports = RandomPorts(40);
        int peers = static_cast<int>(e_.Below(3));  // 0: any peer
        for (int k = 0; k < peers; ++k) {
          NetworkPolicyPeer peer;
          switch (e_.Below(4)) {
            case 0: peer.pod_selector = RandomSelector(); break;
            case 1: peer.namespace_selector = RandomSelector(); break;
            case 2:
              peer.pod_selector = RandomSelector();
              peer.namespace_selector = RandomSelector();
              break;
            default: peer.ip_block = RandomIpBlock(); break;
          }
          rule.peers.push_back(std::move(peer));
        }
        rules->push_back(std::move(rule));
      }
    }
    if (!np.affects_ingress) np.ingress.clear();
    if (!np.affects_egress) np.egress.clear();
    return np;
  }

  AdminNetworkPolicy RandomAdmin(int i, bool baseline) {
    AdminNetworkPolicy p;
    p.baseline = baseline;
    p.name = baseline ? "default" : "anp" + std::to_string(i);
    // Ties happen (the engine orders them by name).
    p.priority = baseline ? 0 : static_cast<int>(e_.Below(3)) * 10;
    p.subject.namespace_selector = RandomSelector();
    if (e_.Percent(40)) p.subject.pod_selector = RandomSelector();
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      auto& rules = d == Direction::kIngress ? p.ingress : p.egress;
      int n = static_cast<int>(e_.Below(3));
      for (int r = 0; r < n; ++r) {
        AdminRule rule;
        rule.name = std::string(DirectionName(d)) + std::to_string(r);
        uint32_t a = e_.Below(baseline ? 2 : 3);
        rule.action = a == 0 ? AdminAction::kAllow : a == 1 ? AdminAction::kDeny : AdminAction::kPass;
        int peers = 1 + static_cast<int>(e_.Below(2));
        for (int k = 0; k < peers; ++k) {
          AdminPeer peer;
          uint32_t kind = e_.Below(d == Direction::kEgress ? 4 : 2);
          peer.kind = kind == 0   ? AdminPeer::Kind::kNamespaces
                      : kind == 1 ? AdminPeer::Kind::kPods
                      : kind == 2 ? AdminPeer::Kind::kNetworks
                                  : AdminPeer::Kind::kNodes;
          peer.namespace_selector = RandomSelector();
          peer.pod_selector = RandomSelector();
          peer.node_selector = RandomSelector();
          if (peer.kind == AdminPeer::Kind::kNetworks) peer.networks.push_back(e_.Pick(Blocks()));
          rule.peers.push_back(std::move(peer));
        }
        if (e_.Percent(60)) {
          // Admin named ports carry no protocol (RulesFor expands them).
          std::vector<PortMatch> ports = RandomPorts(0);
          rule.ports = std::move(ports);
        }
        rules.push_back(std::move(rule));
      }
    }
    return p;
  }

  Scope RandomScope() {
    Scope s;
    s.selector = RandomSelector();
    if (e_.Percent(30)) s.namespace_selector = RandomSelector();
    if (e_.Percent(40)) {
      s.kinds.push_back(e_.Pick(std::vector<EndpointKind>{EndpointKind::kPod, EndpointKind::kWorkload,
                                                          EndpointKind::kNode}));
    }
    return s;
  }

  Ruleset RandomRuleset(int i, bool have_list, const Service* service) {
    Ruleset rs;
    rs.name = "rs" + std::to_string(i);
    uint32_t t = e_.Below(3);
    rs.tier = t == 0 ? RulesetTier::kAdmin : t == 1 ? RulesetTier::kApplication : RulesetTier::kBaseline;
    rs.priority = static_cast<int>(e_.Below(3)) * 10;
    rs.scope = RandomScope();
    for (auto* rules : {&rs.ingress, &rs.egress}) {
      int n = static_cast<int>(e_.Below(3));
      for (int r = 0; r < n; ++r) {
        RulesetRule rule;
        rule.name = "r" + std::to_string(r);
        rule.action = e_.Percent(60) ? RuleAction::kAllow : RuleAction::kDeny;
        RulesetPeer peer;
        switch (e_.Below(5)) {
          case 0: peer.kind = RulesetPeer::Kind::kAny; break;
          case 4:
            if (!service) break;
            peer.kind = RulesetPeer::Kind::kService;
            peer.service_namespace = service->namespace_name;
            peer.service_name = service->name;
            break;
          case 1: peer.selector = RandomSelector(); break;
          case 2:
            peer.selector = RandomSelector();
            peer.namespace_selector = RandomSelector();
            break;
          default:  // a missing IPList matches nothing
            peer.kind = RulesetPeer::Kind::kIpList;
            peer.ip_list = have_list ? "list" : "missing";
            break;
        }
        rule.peers.push_back(std::move(peer));
        rule.ports = RandomPorts(40);
        rules->push_back(std::move(rule));
      }
    }
    return rs;
  }

  Entropy& e_;
  Options options_{};
};

}  // namespace microseg::plantest
