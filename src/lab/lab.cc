#include "lab/lab.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/kernel_agent.h"
#include "agent/netns_source.h"
#include "dataplane/nft/libnftables_executor.h"
#include "lab/detach.h"
#include "lab/load_wait.h"
#include "lab/socket_address.h"
#include "netns/netns.h"

namespace microseg::lab {
namespace fs = std::filesystem;

namespace {

std::string StatePath(const std::string& dir, const std::string& name) { return dir + "/" + name + ".json"; }
// The detached listener server's stdout and stderr.
std::string ListenersLog(const std::string& dir, const std::string& name) {
  return dir + "/" + name + "-listeners.log";
}
// Controller-fed detached agents' --state-dir: <dir>/<lab>-agents/<node>.
std::string AgentsDir(const std::string& dir, const std::string& name) { return dir + "/" + name + "-agents"; }

// A secret for an agent, readable by root only.
Status WriteSecret(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error("lab: cannot write " + path);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok ? Status::Ok() : Status::Error("lab: cannot write " + path);
}

Status Ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  return RunCommand(args);
}

#define RETURN_IF_ERROR(expr)      \
  do {                             \
    Status _s = (expr);            \
    if (!_s.ok()) return _s;       \
  } while (0)

// A namespace with a veth on the fabric (a node or an unmanaged workload)
// and the addresses it holds as its own.
struct FabricMember {
  std::string netns;
  std::string fabric_ip;
  std::vector<std::string> ips;
  std::string fabric_ip6;  // fd00:64:ff::<the fabric IPv4's last byte>
  std::vector<std::string> ips6;
};

std::string FabricIp6(const std::string& fabric_ip) {
  return "fd00:64:ff::" + fabric_ip.substr(fabric_ip.rfind('.') + 1);
}

// Nodes first, in order: member i has veth fab<i> in the fabric.
std::vector<FabricMember> Members(const LabTopology& t) {
  std::vector<FabricMember> out;
  for (const LabNode& n : t.nodes) out.push_back({n.netns, n.fabric_ip, n.ips, FabricIp6(n.fabric_ip), n.ips6});
  for (const LabWorkload& w : t.workloads) {
    if (w.host.empty()) out.push_back({w.netns, w.fabric_ip, w.ips, FabricIp6(w.fabric_ip), w.ips6});
  }
  return out;
}

bool KernelHasIpv6() { return fs::exists("/proc/sys/net/ipv6"); }

// A new namespace of the lab: created, then told to skip IPv6 duplicate
// address detection on every interface it will get. Each address here is
// assigned once, and a link-local address still tentative makes the first
// IPv6 neighbor lookups (and so the first probes) fail for a second or two.
Status AddNetns(const std::string& netns) {
  RETURN_IF_ERROR(Ip({"netns", "add", netns}));
  if (!KernelHasIpv6()) return Status::Ok();
  RETURN_IF_ERROR(SetSysctl(netns, "net.ipv6.conf.default.accept_dad", "0"));
  return SetSysctl(netns, "net.ipv6.conf.all.accept_dad", "0");
}

// The lab without IPv6, for a kernel that has none.
void DropIpv6(LabTopology& t) {
  for (LabNode& n : t.nodes) {
    n.ips6.clear();
    n.node_ip6.clear();
  }
  for (LabPod& p : t.pods) p.ip6.clear();
  for (LabWorkload& w : t.workloads) w.ips6.clear();
  std::erase_if(t.workloads, [](const LabWorkload& w) { return w.ips.empty(); });
}

// A route on `on` to `ip` behind the fabric member at `via`. A member that
// holds addresses of its own sends from the first of them: a connection
// from the fabric IP would be an address nobody's policy knows (and
// 100.64/10 is in any "internet" list).
// IPv6 likewise, through the member's IPv6 fabric address.
Status RouteVia(const FabricMember& on, const std::string& ip, const FabricMember& via) {
  bool v6 = IsIpv6Text(ip);
  std::vector<std::string> args = {"-n", on.netns, "route", "replace", ip + (v6 ? "/128" : "/32"), "via",
                                   v6 ? via.fabric_ip6 : via.fabric_ip};
  const std::vector<std::string>& own = v6 ? on.ips6 : on.ips;
  if (!own.empty()) {
    args.push_back("src");
    args.push_back(own.front());
  }
  return Ip(args);
}

// Failsafe ports are accepted to and from a host before any policy, and the
// model knows nothing of them: a probe on one would see "allow" where the
// model says deny. The agent CLI cannot say "none", so detached agents get
// one TCP port that no lab endpoint listens on, which no probe ever uses.
uint16_t UnusedTcpPort(const LabTopology& t) {
  std::set<uint16_t> used;
  for (const LabEndpoint& e : t.Endpoints()) {
    for (const LabPort& p : e.ports) {
      if (p.protocol == Protocol::kTCP) used.insert(p.port);
    }
  }
  uint16_t port = 65535;
  while (used.count(port)) --port;
  return port;
}

}  // namespace

Result<std::unique_ptr<Lab>> Lab::Up(const ObjectSet& objects, LabOptions options) {
  std::unique_ptr<Lab> lab(new Lab());
  lab->options_ = std::move(options);
  lab->detached_ = !lab->options_.agent_exe.empty();
  lab->topology_ = PlanTopology(lab->options_.name, objects, lab->options_.extras);
  lab->objects_ = objects;
  lab->warnings_ = lab->topology_.skipped;
  if (!KernelHasIpv6()) {
    DropIpv6(lab->topology_);
    lab->warnings_.push_back("this kernel has no IPv6: the lab lays out IPv4 only");
  }
  if (lab->topology_.nodes.empty()) {
    return Status::Error("lab: the manifests have no nodes, scheduled pods or hosted workloads");
  }
  if (Members(lab->topology_).size() > 254) {
    return Status::Error("lab: more than 254 nodes and unmanaged workloads");
  }
  // Leftovers of an earlier run with this name go first.
  RETURN_IF_ERROR(Sweep(lab->options_.name, lab->options_.state_dir));
  RETURN_IF_ERROR(lab->WriteState({}));
  Status s = lab->Build();
  if (s.ok()) s = lab->detached_ ? lab->StartDetached() : lab->StartInProcess();
  if (!s.ok()) {
    lab->Down();
    return s;
  }
  return lab;
}

Status Lab::WriteState(const std::vector<int>& pids) const {
  std::error_code ec;
  fs::create_directories(options_.state_dir, ec);
  nlohmann::json j;
  j["topology"] = topology_.ToJson();
  j["manifests"] = options_.manifest_paths;
  j["pids"] = pids;
  if (detached_ && !options_.controller.empty()) {
    j["controller"] = {{"server", options_.controller},
                       {"tokenFile", options_.controller_token_file},
                       {"caFile", options_.controller_ca_file}};
  }
  std::ofstream f(StatePath(options_.state_dir, options_.name));
  f << j.dump(2) << "\n";
  if (!f) return Status::Error("lab: cannot write state file " + StatePath(options_.state_dir, options_.name));
  return Status::Ok();
}

Status Lab::Build() {
  const LabTopology& t = topology_;
  RETURN_IF_ERROR(AddNetns(t.fabric_netns));
  RETURN_IF_ERROR(Ip({"-n", t.fabric_netns, "link", "add", "br0", "type", "bridge"}));
  RETURN_IF_ERROR(Ip({"-n", t.fabric_netns, "link", "set", "br0", "up"}));
  std::vector<FabricMember> members = Members(t);
  for (size_t i = 0; i < members.size(); ++i) {
    const FabricMember& m = members[i];
    std::string fab = "fab" + std::to_string(i);
    RETURN_IF_ERROR(AddNetns(m.netns));
    RETURN_IF_ERROR(Ip({"link", "add", fab, "netns", t.fabric_netns, "type", "veth", "peer", "name",
                        "eth0", "netns", m.netns}));
    RETURN_IF_ERROR(Ip({"-n", t.fabric_netns, "link", "set", fab, "master", "br0", "up"}));
    RETURN_IF_ERROR(Ip({"-n", m.netns, "addr", "add", m.fabric_ip + "/24", "dev", "eth0"}));
    // Its own addresses (a host's workloads, a Node's IPs): reached through
    // the /32 routes below, so no other member ever ARPs for them. IPv6
    // addresses skip duplicate detection: the lab assigns each once, and a
    // tentative address could not be bound for seconds.
    for (const std::string& ip : m.ips) {
      RETURN_IF_ERROR(Ip({"-n", m.netns, "addr", "add", ip + "/32", "dev", "eth0"}));
    }
    if (KernelHasIpv6()) {
      RETURN_IF_ERROR(Ip({"-n", m.netns, "addr", "add", m.fabric_ip6 + "/64", "dev", "eth0", "nodad"}));
    }
    for (const std::string& ip : m.ips6) {
      RETURN_IF_ERROR(Ip({"-n", m.netns, "addr", "add", ip + "/128", "dev", "eth0", "nodad"}));
    }
    RETURN_IF_ERROR(Ip({"-n", m.netns, "link", "set", "eth0", "up"}));
    RETURN_IF_ERROR(Ip({"-n", m.netns, "link", "set", "lo", "up"}));
    RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv4.conf.all.rp_filter", "0"));
    RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv4.conf.default.rp_filter", "0"));
    RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv4.conf.eth0.rp_filter", "0"));
    // ARP on the fabric speaks from the fabric IP, never from an own address.
    RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv4.conf.all.arp_announce", "2"));
    if (i >= t.nodes.size()) continue;  // unmanaged: no pods, no forwarding
    // The pods' gateway: a local address, so the node answers their ARP.
    RETURN_IF_ERROR(Ip({"-n", m.netns, "addr", "add", "169.254.1.1/32", "dev", "lo"}));
    RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv4.ip_forward", "1"));
    if (KernelHasIpv6()) RETURN_IF_ERROR(SetSysctl(m.netns, "net.ipv6.conf.all.forwarding", "1"));
  }
  for (const FabricMember& on : members) {
    for (const FabricMember& other : members) {
      if (other.netns == on.netns) continue;
      for (const std::string& ip : other.ips) RETURN_IF_ERROR(RouteVia(on, ip, other));
      for (const std::string& ip : other.ips6) RETURN_IF_ERROR(RouteVia(on, ip, other));
    }
  }
  for (const LabPod& p : t.pods) RETURN_IF_ERROR(AddPod(p));
  return Status::Ok();
}

Status Lab::AddPod(const LabPod& p) {
  const LabNode* node = topology_.FindNode(p.node);
  std::string veth = "p" + std::to_string(p.index);
  if (!ListNetns(p.netns).empty() && ListNetns(p.netns)[0] == p.netns) {
    // MovePod: the namespace and veth stay; only the address changes.
  } else {
    RETURN_IF_ERROR(AddNetns(p.netns));
    RETURN_IF_ERROR(Ip({"link", "add", "eth0", "netns", p.netns, "type", "veth", "peer", "name", veth,
                        "netns", node->netns}));
    RETURN_IF_ERROR(Ip({"-n", p.netns, "link", "set", "lo", "up"}));
    RETURN_IF_ERROR(Ip({"-n", p.netns, "link", "set", "eth0", "up"}));
    RETURN_IF_ERROR(Ip({"-n", node->netns, "link", "set", veth, "up"}));
    RETURN_IF_ERROR(SetSysctl(node->netns, "net.ipv4.conf." + veth + ".proxy_arp", "1"));
    RETURN_IF_ERROR(SetSysctl(node->netns, "net.ipv4.conf." + veth + ".rp_filter", "0"));
  }
  RETURN_IF_ERROR(Ip({"-n", p.netns, "addr", "add", p.ip + "/32", "dev", "eth0"}));
  RETURN_IF_ERROR(Ip({"-n", p.netns, "route", "replace", "169.254.1.1", "dev", "eth0"}));
  RETURN_IF_ERROR(Ip({"-n", p.netns, "route", "replace", "default", "via", "169.254.1.1", "dev", "eth0"}));
  RETURN_IF_ERROR(Ip({"-n", node->netns, "route", "replace", p.ip + "/32", "dev", veth}));
  if (!p.ip6.empty()) {
    // The IPv6 gateway: fe80::1 on the node's side of every pod's veth.
    RETURN_IF_ERROR(Ip({"-n", node->netns, "addr", "replace", "fe80::1/64", "dev", veth, "nodad"}));
    RETURN_IF_ERROR(Ip({"-n", p.netns, "addr", "add", p.ip6 + "/128", "dev", "eth0", "nodad"}));
    RETURN_IF_ERROR(Ip({"-n", p.netns, "-6", "route", "replace", "default", "via", "fe80::1", "dev", "eth0"}));
    RETURN_IF_ERROR(Ip({"-n", node->netns, "route", "replace", p.ip6 + "/128", "dev", veth}));
  }
  std::vector<FabricMember> members = Members(topology_);
  const FabricMember* home = nullptr;
  for (const FabricMember& m : members) {
    if (m.netns == node->netns) home = &m;
  }
  for (const FabricMember& other : members) {
    if (other.netns == node->netns) continue;
    RETURN_IF_ERROR(RouteVia(other, p.ip, *home));
    if (!p.ip6.empty()) RETURN_IF_ERROR(RouteVia(other, p.ip6, *home));
  }
  return Status::Ok();
}

Status Lab::MovePod(const std::string& key, const std::string& new_ip) {
  for (LabPod& p : topology_.pods) {
    if (p.key != key) continue;
    const LabNode* node = topology_.FindNode(p.node);
    RETURN_IF_ERROR(Ip({"-n", p.netns, "addr", "flush", "dev", "eth0"}));
    RETURN_IF_ERROR(Ip({"-n", node->netns, "route", "del", p.ip + "/32"}));
    for (const FabricMember& other : Members(topology_)) {
      if (other.netns != node->netns) RETURN_IF_ERROR(Ip({"-n", other.netns, "route", "del", p.ip + "/32"}));
    }
    p.ip = new_ip;
    return AddPod(p);
  }
  return Status::Error("lab: no pod " + key);
}

Status Lab::StartInProcess() {
  std::vector<std::string> warnings;
  auto listeners = Listeners::Open(topology_, &warnings);
  if (!listeners.ok()) return listeners.status();
  warnings_.insert(warnings_.end(), warnings.begin(), warnings.end());
  listeners_ = std::move(*listeners);
  threads_.emplace_back([this] { listeners_->Serve(); });
  applied_.assign(topology_.nodes.size(), UINT64_MAX);
  agents_.resize(topology_.nodes.size());
  if (!options_.controller.empty()) {
    // Opened here, on the caller's thread: the sources' threads start here
    // too, and each agent's loads step back into this namespace.
    host_netns_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host_netns_fd_ < 0) return Status::Error("lab: cannot open the current network namespace");
    for (const LabNode& node : topology_.nodes) {
      ControllerSourceOptions so;
      so.server = options_.controller;
      so.token = options_.controller_token;
      so.node = node.name;
      so.min_backoff = std::chrono::milliseconds(50);
      so.max_backoff = std::chrono::milliseconds(1000);
      sources_.push_back(std::make_unique<ControllerSource>(std::move(so)));
      sources_.back()->Start();
    }
  }
  for (size_t i = 0; i < topology_.nodes.size(); ++i) {
    std::promise<void> ready;  // the agent exists (or its thread gave up)
    auto started = ready.get_future();
    threads_.emplace_back([this, i, &ready] {
      const LabNode& node = topology_.nodes[i];
      ScopedNetns in(node.netns);  // for the thread's lifetime
      if (!in.status().ok()) {
        ready.set_value();  // never enforce the host's namespace by mistake
        return;
      }
      // Reports the generation of what it loaded, so WaitForAgents knows
      // when every node enforces the latest objects.
      auto pending = std::make_shared<uint64_t>(0);
      PolicySource source;
      ControllerSource* remote = sources_.empty() ? nullptr : sources_[i].get();
      if (remote == nullptr) {
        auto seen = std::make_shared<uint64_t>(UINT64_MAX);
        source.changed = [this, seen] {
          std::lock_guard<std::mutex> lock(mu_);
          return *seen != generation_;
        };
        source.load = [this, seen, pending]() -> Result<ObjectSet> {
          std::lock_guard<std::mutex> lock(mu_);
          *seen = generation_;
          *pending = generation_;
          return objects_;
        };
      } else {
        // The span request leaves from the host's namespace (the node's has
        // no route to the controller); the agent applies in the node's. The
        // span stream's watch thread runs in the host's namespace already.
        source = LoadingFromNetns(remote->policy_source(), host_netns_fd_);
      }
      AgentOptions ao;
      ao.node = node.name;
      ao.plan = options_.plan;
      ao.plan.failsafe_inbound.clear();  // see UnusedTcpPort
      ao.plan.failsafe_outbound.clear();
      ao.poll_interval = options_.agent_poll;
      {
        std::lock_guard<std::mutex> lock(mu_);
        // Built here, in the node's namespace: its executor and conntrack
        // act there (kernel_agent.h).
        agents_[i] = std::make_unique<KernelAgent>(ao, source);
        if (remote != nullptr) {
          agents_[i]->agent().set_on_sync(
              [remote](const Status& s, const Agent::Snapshot& snap) { remote->Report(s, snap); });
        }
      }
      ready.set_value();
      Agent* agent = &agents_[i]->agent();
      // Run() inline, recording each successful sync's generation.
      std::thread watcher;
      std::atomic<bool> done{false};
      watcher = std::thread([&] {
        uint64_t syncs = 0;
        while (!done) {
          auto snap = agent->snapshot();
          if (snap.syncs != syncs) {
            syncs = snap.syncs;
            std::lock_guard<std::mutex> lock(mu_);
            applied_[i] = *pending;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
      agent->Run();
      done = true;
      watcher.join();
    });
    started.wait();
    if (!agents_[i]) return Status::Error("lab: cannot enter " + topology_.nodes[i].netns);
  }
  return Status::Ok();
}

bool Lab::WaitForAgents(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      bool all = true;
      for (uint64_t g : applied_) all &= g == generation_;
      if (all) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::vector<Agent::Snapshot> Lab::AgentSnapshots() {
  std::vector<Agent::Snapshot> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& agent : agents_) out.push_back(agent ? agent->agent().snapshot() : Agent::Snapshot{});
  return out;
}

void Lab::SetObjects(ObjectSet objects) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_ = std::move(objects);
  ++generation_;
}

Status Lab::StartDetached() {
  std::vector<int> pids;
  std::vector<std::string> warnings;
  auto listeners = Listeners::Open(topology_, &warnings);
  if (!listeners.ok()) return listeners.status();
  warnings_.insert(warnings_.end(), warnings.begin(), warnings.end());
  std::error_code dir_error;  // WriteState below reports a missing directory
  fs::create_directories(options_.state_dir, dir_error);
  Listeners* serve = listeners->get();
  auto server = SpawnDetached(ListenersLog(options_.state_dir, options_.name), [serve] {
    signal(SIGINT, SIG_IGN);
    serve->Serve();
  });
  listeners->reset();  // the child serves; our copies of the sockets close
  if (!server.ok()) return server.status();
  pids.push_back(*server);
  std::string failsafe = "tcp:" + std::to_string(UnusedTcpPort(topology_));
  // Controller-fed: the agents' command lines, credentials asked for and
  // written before any agent starts.
  std::vector<std::vector<std::string>> commands;
  for (const LabNode& n : topology_.nodes) {
    std::vector<std::string> args = {options_.agent_exe, "agent", "--node", n.name,
                                     "--failsafe-in", failsafe, "--failsafe-out", failsafe};
    if (options_.controller.empty()) {
      args.insert(args.begin(), {"ip", "netns", "exec", n.netns});
      for (const auto& p : options_.manifest_paths) {
        args.push_back("-f");
        args.push_back(p);
      }
      commands.push_back(std::move(args));
      continue;
    }
    std::string dir = AgentsDir(options_.state_dir, options_.name) + "/" + n.name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(AgentsDir(options_.state_dir, options_.name), fs::perms::owner_all, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    args.insert(args.end(), {"--controller", options_.controller, "--netns", n.netns, "--state-dir", dir,
                             "--flow-interval-s", std::to_string(options_.agent_flow_interval_s)});
    if (options_.controller.rfind("https://", 0) == 0) {
      if (!options_.join_token) return Status::Error("lab: an https controller needs join tokens");
      Result<LabJoinToken> token = options_.join_token(n.name);
      if (!token.ok()) {
        return Status::Error("lab: join token for node " + n.name + ": " + token.status().message());
      }
      RETURN_IF_ERROR(WriteSecret(dir + "/join-token", token->token + "\n"));
      args.insert(args.end(), {"--join-token-file", dir + "/join-token"});
      if (!options_.controller_ca_file.empty()) {
        args.insert(args.end(), {"--ca-file", options_.controller_ca_file});
      } else {
        args.insert(args.end(), {"--ca-sha256", token->ca_sha256});
      }
    } else {
      RETURN_IF_ERROR(WriteSecret(dir + "/admin-token", options_.controller_token + "\n"));
      args.insert(args.end(), {"--token-file", dir + "/admin-token"});
    }
    commands.push_back(std::move(args));
  }
  for (size_t i = 0; i < topology_.nodes.size(); ++i) {
    const LabNode& n = topology_.nodes[i];
    std::string log = options_.state_dir + "/" + options_.name + "-agent-" + n.name + ".log";
    std::vector<std::string>& command = commands[i];
    auto pid = SpawnDetached(log, [&command] {
      std::vector<char*> argv;
      for (auto& a : command) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    });
    if (!pid.ok()) return pid.status();
    pids.push_back(*pid);
  }
  RETURN_IF_ERROR(WriteState(pids));
  std::chrono::milliseconds wait = options_.agent_wait;
  if (wait.count() <= 0) wait = LoadScaledWait();
  return WaitForDetachedAgents(pids, wait);
}

// `lab up` returns only once every node enforces: a probe right after it
// must see the policy, not the open window before the first sync. The first
// sync is one atomic replace, so the table's presence in the node's
// namespace (made empty by Build) means the whole policy is in.
Status Lab::WaitForDetachedAgents(const std::vector<int>& pids, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (size_t i = 0; i < topology_.nodes.size(); ++i) {
    const LabNode& n = topology_.nodes[i];
    std::string log = options_.state_dir + "/" + options_.name + "-agent-" + n.name + ".log";
    pid_t pid = pids[i + 1];  // pids[0] serves the listeners
    for (;;) {
      {
        ScopedNetns in(n.netns);
        if (!in.status().ok()) return in.status();
        nft::LibNftablesExecutor executor;
        auto table = executor.ListTableJson();
        if (table.ok() && table->has_value()) break;
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) {
        return Status::Error("lab: the agent of node " + n.name + " exited; see " + log);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Error("lab: the agent of node " + n.name + " did not apply its policy within " +
                             std::to_string(timeout.count() / 1000) + " s; see " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return Status::Ok();
}

Status Lab::Down() {
  if (down_) return Status::Ok();
  down_ = true;
  for (auto& a : agents_) {
    if (a) a->agent().Stop();
  }
  if (listeners_) listeners_->Stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  agents_.clear();
  listeners_.reset();
  for (auto& source : sources_) source->Stop();  // after the agents: they call into it
  sources_.clear();
  if (host_netns_fd_ >= 0) close(host_netns_fd_);
  host_netns_fd_ = -1;
  return Sweep(options_.name, options_.state_dir);
}

Lab::~Lab() {
  if (!detached_) Down();
}

Result<LabTopology> ReadState(const std::string& name, const std::string& state_dir,
                              std::vector<std::string>* manifest_paths, LabControllerRef* controller) {
  std::ifstream f(StatePath(state_dir, name));
  if (!f) return Status::Error("lab " + name + " is not up (no " + StatePath(state_dir, name) + ")");
  std::stringstream ss;
  ss << f.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Status::Error("lab: corrupt state file " + StatePath(state_dir, name));
  if (manifest_paths) *manifest_paths = j.value("manifests", std::vector<std::string>{});
  if (controller) {
    nlohmann::json c = j.value("controller", nlohmann::json::object());
    controller->server = c.value("server", "");
    controller->token_file = c.value("tokenFile", "");
    controller->ca_file = c.value("caFile", "");
  }
  return LabTopology::FromJson(j.value("topology", nlohmann::json::object()));
}

Status Sweep(const std::string& name, const std::string& state_dir) {
  std::string path = StatePath(state_dir, name);
  std::ifstream f(path);
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (!j.is_discarded()) {
      std::vector<int> pids = j.value("pids", std::vector<int>{});
      for (int pid : pids) kill(pid, SIGTERM);
      for (int pid : pids) {
        for (int i = 0; i < 50 && kill(pid, 0) == 0; ++i) {
          waitpid(pid, nullptr, WNOHANG);
          usleep(20000);
        }
        if (kill(pid, 0) == 0) kill(pid, SIGKILL);
        waitpid(pid, nullptr, WNOHANG);
      }
    }
  }
  Status result;
  for (const std::string& ns : ListNetns("ms-" + name + "-")) {
    Status s = DeleteNetns(ns);
    if (!s.ok() && result.ok()) result = s;
  }
  std::error_code ec;
  fs::remove(path, ec);
  fs::remove_all(AgentsDir(state_dir, name), ec);  // the agents' keys and tokens
  fs::remove(ListenersLog(state_dir, name), ec);
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    std::string file = e.path().filename().string();
    if (file.rfind(name + "-agent-", 0) == 0 && file.ends_with(".log")) fs::remove(e.path(), ec);
  }
  return result;
}

}  // namespace microseg::lab
