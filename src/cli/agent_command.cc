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
// `--netns NAME`: enforce in network namespace NAME, reaching the
// controller from the current one (agent/daemon.h says which thread is
// where). This file only parses flags: agent/daemon.h runs the agent.
#include <iostream>
#include <memory>

#include "agent/daemon.h"
#include "cli/agent_failsafe.h"
#include "cli/client_config.h"
#include "cli/dataplane_commands.h"
#include "common/ip.h"
#include "controller/client/agent_enrollment.h"

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
    AgentDaemonOptions o;
    o.agent.node = a->node;
    o.agent.poll_interval = std::chrono::milliseconds(a->poll_ms);
    o.agent.plan.log_group = static_cast<uint16_t>(a->log_group);
    // The controller's port by default: enforcing must never cut the
    // agent's own connection to its controller.
    const std::vector<std::string> failsafe_out =
        a->failsafe_out.empty() ? DefaultFailsafeOutbound(a->controller) : a->failsafe_out;
    if (!ParseFailsafe(a->failsafe_in, &o.agent.plan.failsafe_inbound) ||
        !ParseFailsafe(failsafe_out, &o.agent.plan.failsafe_outbound)) {
      std::cerr << "error: failsafe ports are PROTO:PORT, e.g. tcp:22\n";
      return 1;
    }
    if (a->paths.empty() == a->controller.empty()) {
      std::cerr << "error: give -f PATH or --controller URL\n";
      return 1;
    }
    o.paths = a->paths;
    if (!a->controller.empty()) {
      if (!HostRegistration(*a, &o.controller)) return 1;
      // A certificate when enrolled or enrolling; else the admin token.
      const bool certificate = a->token_file.empty() &&
                               (!a->join_token.empty() || !a->join_token_file.empty() ||
                                HasAgentCredentials(a->state_dir));
      if (certificate) {
        o.certificate = AgentCertificateOptions{.controller = a->controller,
                                                .node = a->node,
                                                .state_dir = a->state_dir,
                                                .ca_file = a->ca_file,
                                                .ca_sha256 = a->ca_sha256,
                                                .join_token = a->join_token,
                                                .join_token_file = a->join_token_file};
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
        o.controller.server = config->server;
        o.controller.token = config->token;
        o.controller.tls = config->tls;
      }
    }
    o.flows = !a->no_flows;
    o.flow_interval = std::chrono::seconds(a->flow_interval_s);
    o.netns = a->netns;
    o.once = a->once;
    if (Status s = RunAgentDaemon(std::move(o)); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
    return 0;
  };
}

}  // namespace microseg::cli
