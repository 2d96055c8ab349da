#include "agent/daemon.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <utility>

#include "agent/flow_reporter.h"
#include "agent/kernel_agent.h"
#include "agent/netns_source.h"
#include "netns/netns.h"

namespace microseg {
namespace {

using Log = std::function<void(const std::string&)>;

// Certificate mode: the server and TLS files come from the state dir.
Status ResolveCertificate(AgentDaemonOptions* o, const Log& log) {
  Result<AgentCertificate> cert = LoadOrEnrollCertificate(*o->certificate);
  if (!cert.ok()) return cert.status();
  if (cert->enrolled_now) {
    log("agent " + o->agent.node + ": enrolled; certificate and key in " + o->certificate->state_dir);
  }
  o->controller.server = cert->server;
  o->controller.token.clear();
  o->controller.tls = cert->tls;
  return Status::Ok();
}

// The host's namespace, kept open to step back into (with --netns), and
// the agent, built in the enforced one (kernel_agent.h).
struct Placement {
  int host_netns = -1;
  std::unique_ptr<KernelAgent> agent;
  ~Placement() {
    agent.reset();  // before the namespace it may step back into
    if (host_netns >= 0) close(host_netns);
  }
};

// `source` is the agent's: with --netns its loads step back to the host's
// namespace (the controller is reached from there).
Status Place(const AgentDaemonOptions& o, PolicySource source, bool remote, Placement* p) {
  std::optional<ScopedNetns> in;
  if (!o.netns.empty()) {
    p->host_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (p->host_netns < 0) return Status::Error("--netns " + o.netns + ": cannot open the current network namespace");
    in.emplace(o.netns);
    if (!in->status().ok()) return Status::Error("--netns " + o.netns + ": " + in->status().message());
    if (remote) source = LoadingFromNetns(std::move(source), p->host_netns);  // span request, registration
  }
  p->agent = std::make_unique<KernelAgent>(o.agent, std::move(source));
  return Status::Ok();
}

// Runs `f` with the calling thread in `netns` ("" for where it is).
template <typename F>
Status InNetns(const std::string& netns, F&& f) {
  std::optional<ScopedNetns> in;
  if (!netns.empty()) in.emplace(netns);
  if (in && !in->status().ok()) return Status::Error("--netns " + netns + ": " + in->status().message());
  return f();
}

// A failure is logged when it starts or its message changes, not at every
// retry while a source stays unreachable.
std::function<void(const Status&, const Agent::Snapshot&)> SyncLogger(std::string node,
                                                                      ControllerSource* source, Log log) {
  auto last_failure = std::make_shared<std::string>();
  auto deleted_before = std::make_shared<uint64_t>(0);  // conntrack entries, as of the last log
  return [node = std::move(node), source, log = std::move(log), last_failure, deleted_before](
             const Status& s, const Agent::Snapshot& snap) {
    if (source != nullptr) source->Report(s, snap);
    if (!s.ok()) {
      if (s.message() != *last_failure) {
        // A refused plan is replaced by default deny (docs/FAIL_CLOSED.md);
        // anything else leaves the last applied policy in the kernel.
        log("agent " + node + ": sync failed, " +
            (snap.fail_closed ? "failing closed" : "still enforcing the last policy") + ": " + s.message());
        *last_failure = s.message();
      }
      return;
    }
    last_failure->clear();
    const char* kind = snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kReplace ? "replace"
                       : snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kDelta ? "delta"
                                                                                        : "no change";
    std::string line = "agent " + node + ": synced (" + kind + ", " +
                       std::to_string(snap.last_apply.element_ops) + " element ops, plan " +
                       std::to_string(snap.plan_elements) + " elements";
    if (snap.conntrack_deleted != *deleted_before) {
      line += ", " + std::to_string(snap.conntrack_deleted - *deleted_before) +
              " conntrack entries of re-owned addresses deleted";
      *deleted_before = snap.conntrack_deleted;
    }
    log(line + ")");
  };
}

// Visibility: this host's flows go to the controller (flows, map). The
// collectors observe the enforced namespace; shipping reaches the
// controller from this one. Null when no collector could start.
std::unique_ptr<FlowReporter> StartFlows(const AgentDaemonOptions& o, const Log& log) {
  FlowReporterOptions fo;
  fo.node = o.agent.node;
  fo.server = o.controller.server;
  fo.token = o.controller.token;
  fo.tls = o.controller.tls;
  fo.log_group = o.agent.plan.log_group;
  fo.interval = o.flow_interval;
  auto flows = std::make_unique<FlowReporter>(
      fo, [log, node = o.agent.node](const std::string& m) { log("agent " + node + ": " + m); });
  Status started = InNetns(o.netns, [&] { return flows->StartCollectors(); });
  if (!started.ok()) {
    log("agent " + o.agent.node + ": " + started.message() + "; enforcing without flow records");
    return nullptr;
  }
  flows->StartShipping();
  return flows;
}

}  // namespace

Status RunAgentDaemon(AgentDaemonOptions o) {
  const Log log = o.log ? o.log : [](const std::string& line) { std::cerr << line << "\n"; };
  if (o.certificate) {
    if (Status s = ResolveCertificate(&o, log); !s.ok()) return s;
  }
  std::unique_ptr<ControllerSource> from_controller;
  if (!o.controller.server.empty()) {
    ControllerSourceOptions so = o.controller;
    so.node = o.agent.node;
    from_controller = std::make_unique<ControllerSource>(std::move(so));
  }
  if (from_controller == nullptr && o.paths.empty()) {
    return Status::Error("give manifest paths or a controller");
  }
  Placement placement;
  PolicySource source = from_controller ? from_controller->policy_source() : ManifestFileSource(o.paths);
  if (Status s = Place(o, std::move(source), from_controller != nullptr, &placement); !s.ok()) return s;
  Agent& agent = placement.agent->agent();
  if (o.once) {
    Status s = InNetns(o.netns, [&] { return agent.SyncOnce(); });
    if (from_controller) {
      from_controller->Report(s, agent.snapshot());
      if (Status reported = from_controller->FlushReport(); !reported.ok()) {
        log("warning: status not reported: " + reported.message());
      }
    }
    return s;
  }
  agent.set_on_sync(SyncLogger(o.agent.node, from_controller.get(), log));
  if (from_controller) from_controller->Start();
  std::unique_ptr<FlowReporter> flows;
  if (from_controller && o.flows) flows = StartFlows(o, log);
  // Signals are taken by a thread, which asks the loop to stop.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    agent.Stop();
  });
  Status ran = InNetns(o.netns, [&] {  // Agent::Run in the enforced namespace
    agent.Run();
    return Status::Ok();
  });
  if (!ran.ok()) kill(getpid(), SIGTERM);  // ends the signal thread
  signals.join();
  if (flows) flows->Stop();
  if (from_controller) from_controller->Stop();
  return ran;
}

}  // namespace microseg
