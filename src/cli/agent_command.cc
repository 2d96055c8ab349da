// `microseg agent -f PATH --node NAME`: enforce policy on this host with
// nftables, reloading the manifests when they change.
// `microseg agent --controller URL --node NAME [--token-file F] [--ip IP]...
// [--label K=V]...`: the same, with the node's span from a controller
// (agent/controller_source.h; docs/CONTROLLER.md, "Agents").
// With a certificate instead of the admin token (docs/CONTROLLER.md,
// "Security"): `--join-token T --ca-sha256 H` (or `--ca-file F`) enrolls once
// and keeps key, certificate and CA in --state-dir; later starts use them.
// Runs until SIGINT or SIGTERM; the table stays in the kernel when it exits
// (enforcement continues; the next start reconciles without a gap).
//
// `--netns NAME`: enforce in network namespace NAME (/run/netns/NAME) while
// talking to the controller from the namespace the agent was started in.
// The lab uses it: a node's namespace has no route to a controller on the
// host's loopback, so an agent run there with `ip netns exec` could never
// reach it. Netlink sockets belong to the namespace of the thread that
// creates them, so the threads that open them (the nft executor, built in
// NAME; Agent::Run, whose conntrack flushes open a socket per flush; the
// flow collectors) enter NAME, and everything that opens a TCP connection to
// the controller (the span load, which steps back for its request; the
// watch, status and flow-shipping threads, started outside NAME) stays in
// the original namespace.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "agent/agent.h"
#include "agent/controller_source.h"
#include "agent/flow_reporter.h"
#include "cli/client_config.h"
#include "controller/client/agent_enrollment.h"
#include "controller/pki/identity.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"
#include "cli/agent_failsafe.h"
#include "cli/dataplane_commands.h"
#include "common/ip.h"
#include "dataplane/nft/libnftables_executor.h"
#include "lab/netns.h"

namespace microseg::cli {
namespace {

struct AgentArgs {
  std::vector<std::string> paths;
  std::string controller;  // URL; instead of paths
  std::string token_file;
  std::string config;
  std::string ca_file;
  std::string ca_sha256;
  std::string join_token;
  std::string join_token_file;
  std::string state_dir = "/var/lib/microseg/agent";
  std::vector<std::string> ips;
  std::vector<std::string> labels;  // K=V
  std::string node;
  int poll_ms = 500;
  int log_group = 100;
  std::vector<std::string> failsafe_in = DefaultFailsafeInbound();
  std::vector<std::string> failsafe_out;  // empty: DefaultFailsafeOutbound(controller)
  bool once = false;
  bool no_flows = false;
  int flow_interval_s = 10;
  std::string netns;  // enforce in this namespace (see the top of the file)
};

bool ParseFailsafe(const std::vector<std::string>& specs, std::vector<FailsafePort>* out) {
  out->clear();
  for (const std::string& s : specs) {
    size_t colon = s.find(':');
    if (colon == std::string::npos) return false;
    std::string proto = s.substr(0, colon);
    for (char& c : proto) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto p = ParseProtocol(proto);
    int port = std::atoi(s.c_str() + colon + 1);
    if (!p || port <= 0 || port > 65535) return false;
    out->push_back({*p, static_cast<uint16_t>(port)});
  }
  return true;
}

// --ip and --label, checked here so that a typo fails at start rather than
// in every registration attempt.
bool HostRegistration(const AgentArgs& a, ControllerSourceOptions* out) {
  for (const std::string& ip : a.ips) {
    if (!IpAddress::Parse(ip)) {
      std::cerr << "error: --ip " << ip << ": not an IPv4 or IPv6 address\n";
      return false;
    }
  }
  out->ips = a.ips;
  for (const std::string& label : a.labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --label " << label << ": expected KEY=VALUE\n";
      return false;
    }
    out->labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  if (!out->labels.empty() && out->ips.empty()) {
    std::cerr << "error: --label needs --ip: labels belong to the host's Workload\n";
    return false;
  }
  return true;
}

// The certificate in `state_dir` must name `node`: an agent never runs as
// another node's identity by accident.
Status CheckCredentialsNode(const std::string& state_dir, const std::string& node) {
  const std::string path = AgentCredentialFiles(state_dir).cert_file;
  Result<std::string> pem = pki::ReadFileText(path);
  if (!pem.ok()) return pem.status();
  Result<pki::CertPtr> cert = pki::CertFromPem(*pem, path);
  if (!cert.ok()) return cert.status();
  std::optional<std::string> named = pki::NodeOfCertificate(cert->get());
  if (named != node) {
    return Status::Error(path + " is the certificate of node " + named.value_or("(none)") +
                         ", not " + node + ": use another --state-dir");
  }
  return Status::Ok();
}

// Certificate mode: enrolled before (STATE_DIR holds the files), or enrolls
// now with the join token. Fills server and TLS files.
Status AgentCertificate(const AgentArgs& a, std::string* server, ClientTls* tls) {
  *server = a.controller;
  if (server->find("://") == std::string::npos) *server = "https://" + *server;
  while (!server->empty() && server->back() == '/') server->pop_back();
  if (server->rfind("https://", 0) != 0) {
    return Status::Error("--controller " + a.controller +
                         ": agent certificates need an https:// controller");
  }
  if (HasAgentCredentials(a.state_dir)) {
    if (Status s = CheckCredentialsNode(a.state_dir, a.node); !s.ok()) return s;
    *tls = AgentCredentialFiles(a.state_dir);
    return Status::Ok();
  }
  EnrollOptions enroll;
  enroll.server = *server;
  enroll.node = a.node;
  enroll.state_dir = a.state_dir;
  enroll.ca_file = a.ca_file;
  enroll.ca_sha256 = a.ca_sha256;
  enroll.join_token = a.join_token;
  if (!a.join_token_file.empty()) {
    Result<std::string> text = pki::ReadFileText(a.join_token_file);
    if (!text.ok()) return text.status();
    enroll.join_token = *text;
    enroll.join_token.erase(enroll.join_token.find_last_not_of(" \t\r\n") + 1);
  }
  Result<ClientTls> enrolled = EnrollAgent(enroll);
  if (!enrolled.ok()) return enrolled.status();
  std::cerr << "agent " << a.node << ": enrolled; certificate and key in " << a.state_dir << "\n";
  *tls = *enrolled;
  return Status::Ok();
}

}  // namespace

Action InstallAgent(CLI::App& app) {
  auto a = std::make_shared<AgentArgs>();
  auto* files = app.add_option("-f,--filename", a->paths,
                               "Manifest files or directories (reloaded on change)");
  auto* controller = app.add_option("--controller", a->controller,
                                    "Take policy from this controller (http://HOST:PORT)");
  files->excludes(controller);
  app.add_option("--token-file", a->token_file, "With --controller: file holding the API token")
      ->needs(controller);
  app.add_option("--config", a->config, "With --controller: client config file (as for apply/get)")
      ->needs(controller);
  app.add_option("--ca-file", a->ca_file,
                 "With --controller: the controller's CA certificate (its DATA_DIR/ca.crt)")
      ->needs(controller);
  app.add_option("--ca-sha256", a->ca_sha256,
                 "With --join-token: the controller CA's SHA-256 fingerprint, instead of --ca-file")
      ->needs(controller);
  auto* join = app.add_option("--join-token", a->join_token,
                              "With --controller: enroll with this join token (microseg token "
                              "create) and use a certificate from then on")
                   ->needs(controller);
  app.add_option("--join-token-file", a->join_token_file, "As --join-token, read from a file")
      ->needs(controller)
      ->excludes(join);
  app.add_option("--state-dir", a->state_dir,
                 "With --controller: where the agent's key, certificate and CA are kept")
      ->needs(controller)
      ->capture_default_str();
  app.add_option("--ip", a->ips, "With --controller: this host's IP; registers it as a Workload")
      ->needs(controller);
  app.add_option("--label", a->labels,
                 "With --controller and --ip: a label of the host's Workload, K=V")
      ->needs(controller);
  app.add_option("--node", a->node, "This enforcement point's node (or host) name")->required();
  app.add_option("--poll-ms", a->poll_ms, "How often to check the manifests for changes")
      ->capture_default_str();
  app.add_option("--log-group", a->log_group, "NFLOG group for would-deny flows (visibility mode)")
      ->capture_default_str();
  app.add_option("--failsafe-in", a->failsafe_in, "Host ports always open inbound, PROTO:PORT")
      ->capture_default_str();
  app.add_option("--failsafe-out", a->failsafe_out,
                 "Host ports always open outbound, PROTO:PORT (default: udp:53, tcp:6443 and "
                 "the --controller URL's port, tcp:7443 without --controller)");
  app.add_flag("--once", a->once, "Sync once and exit");
  app.add_flag("--no-flows", a->no_flows,
               "With --controller: do not collect and ship flow records (conntrack, NFLOG)")
      ->needs(controller);
  app.add_option("--flow-interval-s", a->flow_interval_s,
                 "With --controller: seconds between two shipments of flow records")
      ->needs(controller)
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--netns", a->netns,
                 "Enforce (nftables, conntrack, flow collectors) in network namespace NAME "
                 "(/run/netns/NAME); the controller is reached from the current namespace");
  return [a]() {
    AgentOptions options;
    options.node = a->node;
    options.poll_interval = std::chrono::milliseconds(a->poll_ms);
    options.plan.log_group = static_cast<uint16_t>(a->log_group);
    // The controller's port by default: enforcing must never cut the
    // agent's own connection to its controller.
    const std::vector<std::string> failsafe_out =
        a->failsafe_out.empty() ? DefaultFailsafeOutbound(a->controller) : a->failsafe_out;
    if (!ParseFailsafe(a->failsafe_in, &options.plan.failsafe_inbound) ||
        !ParseFailsafe(failsafe_out, &options.plan.failsafe_outbound)) {
      std::cerr << "error: failsafe ports are PROTO:PORT, e.g. tcp:22\n";
      return 1;
    }
    if (a->paths.empty() == a->controller.empty()) {
      std::cerr << "error: give -f PATH or --controller URL\n";
      return 1;
    }
    std::unique_ptr<ControllerSource> from_controller;
    std::string server, token;  // of the controller, for flow shipments too
    ClientTls tls;
    if (!a->controller.empty()) {
      // A certificate when enrolled or enrolling; else the admin token.
      const bool certificate = a->token_file.empty() &&
                               (!a->join_token.empty() || !a->join_token_file.empty() ||
                                HasAgentCredentials(a->state_dir));
      if (certificate) {
        if (Status s = AgentCertificate(*a, &server, &tls); !s.ok()) {
          std::cerr << "error: " << s.message() << "\n";
          return 1;
        }
      } else {
        ClientFlags flags;
        flags.server = a->controller;
        flags.token_file = a->token_file;
        flags.config = a->config;
        flags.ca_file = a->ca_file;
        Result<ClientConfig> config = ResolveClientConfig(flags);
        if (!config.ok()) {
          std::cerr << "error: " << config.status().message() << "\n";
          return 1;
        }
        server = config->server;
        token = config->token;
        tls = config->tls;
      }
      ControllerSourceOptions source_options;
      source_options.server = server;
      source_options.token = token;
      source_options.tls = tls;
      source_options.node = a->node;
      if (!HostRegistration(*a, &source_options)) return 1;
      from_controller = std::make_unique<ControllerSource>(std::move(source_options));
    }
    // --netns: the namespace the controller is reached from, to step back
    // into; the executor opens its netlink socket in the enforced one.
    int host_netns = -1;
    std::unique_ptr<nft::LibNftablesExecutor> executor;
    {
      std::optional<lab::ScopedNetns> in;
      if (!a->netns.empty()) {
        host_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        in.emplace(a->netns);
        if (host_netns < 0 || !in->status().ok()) {
          std::cerr << "error: --netns " << a->netns << ": "
                    << (host_netns < 0 ? "cannot open the current network namespace"
                                       : in->status().message())
                    << "\n";
          return 1;
        }
      }
      executor = std::make_unique<nft::LibNftablesExecutor>();
    }
    PolicySource source =
        from_controller ? from_controller->policy_source() : ManifestFileSource(a->paths);
    if (host_netns >= 0 && from_controller) {
      source.load = [load = source.load, host_netns]() -> Result<ObjectSet> {
        lab::ScopedNetns host(host_netns);  // the span request (and registration)
        if (!host.status().ok()) return host.status();
        return load();
      };
    }
    nft::NetlinkConntrackFlusher conntrack;  // acts in the namespace of the thread that flushes
    Agent agent(options, source, executor.get());
    // IP reuse: flows of an address that changed owner are cut (agent.h).
    agent.set_conntrack(&conntrack);
    if (a->once) {
      Status s;
      {
        std::optional<lab::ScopedNetns> in;  // SyncOnce in --netns NAME
        if (!a->netns.empty()) in.emplace(a->netns);
        s = in && !in->status().ok() ? in->status() : agent.SyncOnce();
      }
      if (!s.ok()) std::cerr << "error: " << s.message() << "\n";
      if (from_controller) {
        from_controller->Report(s, agent.snapshot());
        Status reported = from_controller->FlushReport();
        if (!reported.ok())
          std::cerr << "warning: status not reported: " << reported.message() << "\n";
      }
      return s.ok() ? 0 : 1;
    }
    // A failure is logged when it starts or its message changes, not at
    // every retry while a source stays unreachable.
    auto last_failure = std::make_shared<std::string>();
    auto deleted_before = std::make_shared<uint64_t>(0);  // conntrack entries, as of the last log
    agent.set_on_sync([node = a->node, source = from_controller.get(), last_failure, deleted_before](
                          const Status& s, const Agent::Snapshot& snap) {
      if (source != nullptr) source->Report(s, snap);
      if (!s.ok()) {
        if (s.message() != *last_failure) {
          // A refused plan is replaced by default deny (docs/FAIL_CLOSED.md);
          // anything else leaves the last applied policy in the kernel.
          std::cerr << "agent " << node << ": sync failed, "
                    << (snap.fail_closed ? "failing closed" : "still enforcing the last policy") << ": "
                    << s.message() << "\n";
          *last_failure = s.message();
        }
        return;
      }
      last_failure->clear();
      const char* kind =
          snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kReplace ? "replace"
          : snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kDelta ? "delta"
                                                                           : "no change";
      std::cerr << "agent " << node << ": synced (" << kind << ", " << snap.last_apply.element_ops
                << " element ops, plan " << snap.plan_elements << " elements";
      if (snap.conntrack_deleted != *deleted_before) {
        std::cerr << ", " << snap.conntrack_deleted - *deleted_before
                  << " conntrack entries of re-owned addresses deleted";
        *deleted_before = snap.conntrack_deleted;
      }
      std::cerr << ")\n";
    });
    if (from_controller) from_controller->Start();
    // Visibility: this host's flows go to the controller (flows, map).
    std::unique_ptr<FlowReporter> flows;
    if (from_controller && !a->no_flows) {
      FlowReporterOptions fo;
      fo.node = a->node;
      fo.server = server;
      fo.token = token;
      fo.tls = tls;
      fo.log_group = options.plan.log_group;
      fo.interval = std::chrono::seconds(a->flow_interval_s);
      flows = std::make_unique<FlowReporter>(
          fo, [node = a->node](const std::string& m) { std::cerr << "agent " << node << ": " << m << "\n"; });
      Status started;
      if (a->netns.empty()) {
        started = flows->Start();
      } else {
        {
          lab::ScopedNetns in(a->netns);  // the collectors' sockets observe NAME
          started = in.status().ok() ? flows->StartCollectors() : in.status();
        }
        if (started.ok()) flows->StartShipping();  // from here: reaches the controller
      }
      if (Status s = started; !s.ok()) {
        std::cerr << "agent " << a->node << ": " << s.message() << "; enforcing without flow records\n";
        flows.reset();
      }
    }
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
    {
      std::optional<lab::ScopedNetns> in;  // Agent::Run in --netns NAME
      if (!a->netns.empty()) in.emplace(a->netns);
      if (in && !in->status().ok()) {
        std::cerr << "error: --netns " << a->netns << ": " << in->status().message() << "\n";
        agent.Stop();
        kill(getpid(), SIGTERM);  // ends the signal thread
      } else {
        agent.Run();
      }
    }
    signals.join();
    if (host_netns >= 0) close(host_netns);
    if (flows) flows->Stop();
    if (from_controller) from_controller->Stop();
    return 0;
  };
}

}  // namespace microseg::cli
