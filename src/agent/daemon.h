// The agent daemon: everything `microseg agent` runs, wired in one place.
//
// It chooses the policy source (manifests on disk, or a controller with the
// admin token or a certificate it loads or enrolls for), builds the nftables
// executor and the conntrack flusher, runs the Agent until SIGINT or SIGTERM
// (or syncs once), reports status to the controller and ships the host's
// flow records to it. The table stays in the kernel when it exits
// (enforcement continues; the next start reconciles without a gap).
//
// `netns`: enforce in network namespace NAME (/run/netns/NAME) while talking
// to the controller from the namespace the daemon was started in. The lab
// uses it: a node's namespace has no route to a controller on the host's
// loopback. Netlink sockets belong to the namespace of the thread that
// creates them, so the threads that open them (the nft executor, built in
// NAME; Agent::Run, whose conntrack flushes open a socket per flush; the flow
// collectors) enter NAME, and everything that opens a TCP connection to the
// controller (the span load, which steps back for its request through
// LoadingFromNetns; the watch, status and flow-shipping threads, started
// outside NAME) stays in the original namespace.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/agent_certificate.h"
#include "agent/controller_source.h"
#include "common/status.h"

namespace microseg {

struct AgentDaemonOptions {
  AgentOptions agent;  // node, plan (failsafe ports, NFLOG group), poll interval
  // Manifest mode: files or directories, reloaded when they change.
  std::vector<std::string> paths;
  // Controller mode, when controller.server or certificate is set. The
  // node, host IPs and labels are taken from here; server, token and tls
  // too unless `certificate` is set (then they come from its state dir).
  ControllerSourceOptions controller;
  std::optional<AgentCertificateOptions> certificate;
  bool flows = true;  // controller mode: collect and ship flow records
  std::chrono::seconds flow_interval{10};
  std::string netns;  // enforce in this namespace (see above); "" for the current one
  bool once = false;  // sync once and return
  // One line of what the daemon does (syncs, failures, enrollment, flows);
  // null writes it to stderr.
  std::function<void(const std::string&)> log;
};

// Runs until SIGINT or SIGTERM (taken by a thread of its own; the caller's
// thread blocks them). Returns an error when it cannot start, or, with
// `once`, when the sync failed; sync failures while running are logged and
// retried.
Status RunAgentDaemon(AgentDaemonOptions options);

}  // namespace microseg
