// Dataplane benchmarks: compile/render/apply cost at cluster scale, the
// latency of one pod IP change, and the new-connection rate through a node
// with few and many policies, against the classic linear chain
// (one rule per policy peer, as iptables-based engines do).
//
// Kernel benchmarks need root and create namespaces "ms-bench-*", removed
// at exit. Results and the command are in docs/PERFORMANCE.md ("Dataplane").
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "dataplane/nft/dataplane.h"
#include "dataplane/nft/libnftables_executor.h"
#include "lab/lab.h"
#include "netns/netns.h"
#include "plan/compiler.h"
#include "plan/plan_diff.h"
#include "render/nft/renderer.h"

namespace microseg {
namespace {

using A = EffectiveRule::Action;

IpAddress V4(uint32_t x) { return IpAddress::V4(x); }

Endpoint Pod(int i, uint32_t ip) {
  Endpoint e;
  e.kind = EndpointKind::kPod;
  e.name = "ns" + std::to_string(i / 1000) + "/p" + std::to_string(i);
  e.ip = V4(ip);
  e.has_ip = true;
  e.identity = static_cast<IdentityId>(i / 10);
  return e;
}

// A 100,000-pod cluster (100 namespaces × 1,000 pods, 10.128.0.0/9) and 110
// local pods in namespace ns0, each isolated on ingress and egress with:
// allow from its own namespace on TCP 8080, from the monitoring namespace
// (ns99) on TCP 9090, from the whole cluster on TCP 443, egress to the whole
// cluster and to 0.0.0.0/0 except 10.0.0.0/8 on TCP 443.
struct Cluster {
  std::vector<Endpoint> all, ns0, ns99;
  CompileInput input;

  explicit Cluster(int pods = 100000, uint32_t moved = 0) {
    for (int i = 0; i < pods; ++i) {
      uint32_t ip = (10u << 24) | (128u << 16) | static_cast<uint32_t>(i + 1);
      if (moved && i == 500) ip = moved;  // a pod of ns0 deleted and recreated
      all.push_back(Pod(i, ip));
      if (i < 1000) ns0.push_back(all.back());
      if (i >= 99000) ns99.push_back(all.back());
    }
    input.node = "node-1";
    auto rule = [](std::string policy, std::string name, const std::vector<Endpoint>& peers,
                   std::vector<PortMatch> ports) {
      EffectiveRule r;
      r.action = A::kAllow;
      r.policy_kind = "NetworkPolicy";
      r.policy = std::move(policy);
      r.rule = std::move(name);
      r.peers.endpoints = peers;
      r.ports = std::move(ports);
      return r;
    };
    PolicyEngine::DirectionRules in, eg;
    in.enforced = eg.enforced = in.default_deny = eg.default_deny = true;
    in.rules = {rule("ns0/same-ns", "ingress[0]", ns0, {PortMatch::Range(Protocol::kTCP, 8080, 8080)}),
                rule("ns0/monitoring", "ingress[0]", ns99, {PortMatch::Range(Protocol::kTCP, 9090, 9090)}),
                rule("ns0/https", "ingress[0]", all, {PortMatch::Range(Protocol::kTCP, 443, 443)})};
    EffectiveRule internet = rule("ns0/egress", "egress[1]", {}, {PortMatch::Range(Protocol::kTCP, 443, 443)});
    internet.peers.blocks.push_back({*Cidr::Parse("0.0.0.0/0"), {*Cidr::Parse("10.0.0.0/8")}});
    eg.rules = {rule("ns0/egress", "egress[0]", all, {}), internet};
    for (int i = 0; i < 110; ++i) {
      CompileInput::Local l;
      l.endpoint = all[i];
      l.ingress = in;
      l.egress = eg;
      input.locals.push_back(std::move(l));
    }
  }
};

const Cluster& BigCluster() {
  static const Cluster c;
  return c;
}

bool Root() {
  static const bool ok = geteuid() == 0 && nft::NftablesAvailable();
  return ok;
}

constexpr char kRouter[] = "ms-bench-r";

struct Topology {
  bool ok = false;
  Topology() {
    lab::Sweep("bench", "/tmp/microseg-bench");
    std::vector<std::vector<std::string>> cmds = {
        {"ip", "netns", "add", "ms-bench-c"}, {"ip", "netns", "add", kRouter}, {"ip", "netns", "add", "ms-bench-s"},
        {"ip", "link", "add", "eth0", "netns", "ms-bench-c", "type", "veth", "peer", "name", "c0", "netns", kRouter},
        {"ip", "link", "add", "eth0", "netns", "ms-bench-s", "type", "veth", "peer", "name", "s0", "netns", kRouter},
        {"ip", "-n", "ms-bench-c", "addr", "add", "10.1.0.2/24", "dev", "eth0"},
        {"ip", "-n", "ms-bench-s", "addr", "add", "10.2.0.2/24", "dev", "eth0"},
        {"ip", "-n", kRouter, "addr", "add", "10.1.0.1/24", "dev", "c0"},
        {"ip", "-n", kRouter, "addr", "add", "10.2.0.1/24", "dev", "s0"},
        {"ip", "-n", "ms-bench-c", "link", "set", "eth0", "up"}, {"ip", "-n", "ms-bench-c", "link", "set", "lo", "up"},
        {"ip", "-n", "ms-bench-s", "link", "set", "eth0", "up"}, {"ip", "-n", "ms-bench-s", "link", "set", "lo", "up"},
        {"ip", "-n", kRouter, "link", "set", "c0", "up"}, {"ip", "-n", kRouter, "link", "set", "s0", "up"},
        {"ip", "-n", "ms-bench-c", "route", "add", "default", "via", "10.1.0.1"},
        {"ip", "-n", "ms-bench-s", "route", "add", "default", "via", "10.2.0.1"},
    };
    for (const auto& c : cmds) {
      if (!RunCommand(c).ok()) return;
    }
    ok = SetSysctl(kRouter, "net.ipv4.ip_forward", "1").ok();
  }
  ~Topology() { lab::Sweep("bench", "/tmp/microseg-bench"); }
};

Topology& Net() {
  static Topology t;
  return t;
}

// ---- compile + render, no kernel -------------------------------------------

void BM_Compile_110LocalPods_100kCluster(benchmark::State& state) {
  const Cluster& c = BigCluster();
  for (auto _ : state) {
    Plan p = Compile(c.input, PlanOptions{});
    benchmark::DoNotOptimize(p);
    state.counters["elements"] = static_cast<double>(p.ElementCount());
    state.counters["classes"] = static_cast<double>(p.ingress.classes.size() + p.egress.classes.size());
  }
}
BENCHMARK(BM_Compile_110LocalPods_100kCluster)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Render_100kCluster(benchmark::State& state) {
  Plan p = Compile(BigCluster().input, PlanOptions{});
  for (auto _ : state) {
    std::string s = nft::RenderReplace(p);
    benchmark::DoNotOptimize(s);
    state.counters["script_MB"] = static_cast<double>(s.size()) / 1e6;
  }
}
BENCHMARK(BM_Render_100kCluster)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_DiffRender_PodIpChange(benchmark::State& state) {
  Plan a = Compile(BigCluster().input, PlanOptions{});
  Plan b = Compile(Cluster(100000, (10u << 24) | (127u << 16) | 7u).input, PlanOptions{});
  for (auto _ : state) {
    std::string s = nft::RenderDelta(DiffPlans(a, b), b);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_DiffRender_PodIpChange)->Unit(benchmark::kMillisecond);

// Kernel cost alone of the same one-pod delta script.
void BM_IncrementalKernelOnly(benchmark::State& state) {
  if (!Root()) return state.SkipWithError("needs root and nftables");
  if (!Net().ok) return state.SkipWithError("cannot build the bench namespaces");
  ScopedNetns in(kRouter);
  nft::LibNftablesExecutor exec;
  Plan a = Compile(BigCluster().input, PlanOptions{});
  Plan b = Compile(Cluster(100000, (10u << 24) | (127u << 16) | 7u).input, PlanOptions{});
  std::string ab = nft::RenderDelta(DiffPlans(a, b), b), ba = nft::RenderDelta(DiffPlans(b, a), a);
  if (!exec.Run(nft::RenderReplace(a)).ok()) return state.SkipWithError("initial apply failed");
  if (const char* dump = std::getenv("MICROSEG_BENCH_DUMP")) {
    std::ofstream(std::string(dump) + "/table.nft") << nft::RenderReplace(a);
    std::ofstream(std::string(dump) + "/delta.nft") << ab;
  }
  bool to_b = true;
  for (auto _ : state) {
    Status s = exec.Run(to_b ? ab : ba);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    to_b = !to_b;
  }
}
BENCHMARK(BM_IncrementalKernelOnly)->Unit(benchmark::kMillisecond)->Iterations(20);

// ---- kernel apply ------------------------------------------------------------

void BM_FullApply_110LocalPods_100kCluster(benchmark::State& state) {
  if (!Root()) return state.SkipWithError("needs root and nftables");
  if (!Net().ok) return state.SkipWithError("cannot build the bench namespaces");
  ScopedNetns in(kRouter);
  nft::LibNftablesExecutor exec;
  Plan p = Compile(BigCluster().input, PlanOptions{});
  for (auto _ : state) {
    // Compile + render + one transaction (atomic replace), as an agent start.
    Plan fresh = Compile(BigCluster().input, PlanOptions{});
    nft::NftDataplane dp(&exec);
    Status s = exec.Run("add table inet microseg\ndelete table inet microseg\n");  // start empty
    if (!s.ok() || !(s = dp.Apply(fresh)).ok()) return state.SkipWithError(s.message().c_str());
  }
}
BENCHMARK(BM_FullApply_110LocalPods_100kCluster)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_IncrementalPodIpChange(benchmark::State& state) {
  if (!Root()) return state.SkipWithError("needs root and nftables");
  if (!Net().ok) return state.SkipWithError("cannot build the bench namespaces");
  ScopedNetns in(kRouter);
  nft::LibNftablesExecutor exec;
  Plan a = Compile(BigCluster().input, PlanOptions{});
  Plan b = Compile(Cluster(100000, (10u << 24) | (127u << 16) | 7u).input, PlanOptions{});
  nft::NftDataplane dp(&exec);
  if (!dp.Apply(a).ok()) return state.SkipWithError("initial apply failed");
  bool to_b = true;
  for (auto _ : state) {
    // Diff + render + one transaction; the compile is measured above.
    Status s = dp.Apply(to_b ? b : a);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    state.counters["element_ops"] = static_cast<double>(dp.last().element_ops);
    to_b = !to_b;
  }
}
BENCHMARK(BM_IncrementalPodIpChange)->Unit(benchmark::kMillisecond)->Iterations(20);

// ---- new connections through a node --------------------------------------------
//
// client (10.1.0.2) -> router (forward hook, our table) -> server (10.2.0.2:8080).
// N policies select the server; policy i allows peer 10.3.x.y on TCP port
// 10000+i%50000; the last one allows the client. The classic baseline is
// one rule per policy peer in a chain, the client's rule last.

Plan PolicyPlan(int policies) {
  CompileInput in;
  in.node = "router";
  CompileInput::Local l;
  l.endpoint = Pod(0, (10u << 24) | (2u << 16) | 2u);  // the server
  l.ingress.enforced = l.ingress.default_deny = true;
  for (int i = 0; i < policies; ++i) {
    EffectiveRule r;
    r.policy_kind = "NetworkPolicy";
    r.policy = "s/np" + std::to_string(i);
    r.rule = "ingress[0]";
    bool last = i == policies - 1;
    uint32_t peer = last ? ((10u << 24) | (1u << 16) | 2u) : ((10u << 24) | (3u << 16) | static_cast<uint32_t>(i + 1));
    r.peers.endpoints.push_back(Pod(i + 1, peer));
    uint16_t port = last ? 8080 : static_cast<uint16_t>(10000 + i % 50000);
    r.ports = {PortMatch::Range(Protocol::kTCP, port, port)};
    l.ingress.rules.push_back(std::move(r));
  }
  in.locals.push_back(std::move(l));
  return Compile(in, PlanOptions{});
}

std::string ClassicScript(int policies) {
  std::string s =
      "add table inet microseg\ndelete table inet microseg\n"
      "table inet microseg {\n chain forward {\n  type filter hook forward priority filter; policy accept;\n"
      "  ct state established,related accept\n  ip daddr 10.2.0.2 jump srv_in\n }\n chain srv_in {\n";
  for (int i = 0; i < policies; ++i) {
    bool last = i == policies - 1;
    std::string peer = last ? "10.1.0.2" : "10.3." + std::to_string((i + 1) >> 8 & 255) + "." + std::to_string((i + 1) & 255);
    int port = last ? 8080 : 10000 + i % 50000;
    s += "  ip saddr " + peer + " tcp dport " + std::to_string(port) + " accept\n";
  }
  return s + "  drop\n }\n}\n";
}

void BM_NewConnections(benchmark::State& state) {
  if (!Root()) return state.SkipWithError("needs root and nftables");
  if (!Net().ok) return state.SkipWithError("cannot build the bench namespaces");
  bool classic = state.range(0) == 1;
  int policies = static_cast<int>(state.range(1));
  {
    ScopedNetns in(kRouter);
    nft::LibNftablesExecutor exec;
    Status s = classic ? exec.Run(ClassicScript(policies)) : exec.Run(nft::RenderReplace(PolicyPlan(policies)));
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
  }
  int listener;
  {
    ScopedNetns in("ms-bench-s");
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  }
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(8080);
  bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(listener, 4096);
  std::atomic<bool> stop{false};
  std::thread server([&] {
    pollfd p{listener, POLLIN, 0};
    while (!stop) {
      if (poll(&p, 1, 50) > 0) {
        int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) close(c);
      }
    }
  });
  inet_pton(AF_INET, "10.2.0.2", &addr.sin_addr);
  int64_t connections = 0, failures = 0;
  for (auto _ : state) {
    int fd;
    {
      ScopedNetns in("ms-bench-c");
      fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    }
    linger lg{1, 0};  // RST on close: no TIME_WAIT, every connection is new
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      ++connections;
    } else {
      ++failures;
    }
    close(fd);
  }
  stop = true;
  server.join();
  close(listener);
  state.counters["conn_per_s"] = benchmark::Counter(static_cast<double>(connections), benchmark::Counter::kIsRate);
  state.counters["failures"] = static_cast<double>(failures);
}
// range(0): 0 = microseg identity maps, 1 = classic linear chain; range(1): policies.
BENCHMARK(BM_NewConnections)
    ->ArgsProduct({{0, 1}, {10, 10000}})
    ->ArgNames({"classic", "policies"})
    ->MinTime(2.0)
    ->UseRealTime();

}  // namespace
}  // namespace microseg

BENCHMARK_MAIN();
