// Lab: a real multi-node cluster in network namespaces, enforced by real
// agents, for `microseg lab` and the network tests.
//
// Up() builds the topology (see topology.h), opens listeners on every
// container port and declared workload port, and starts one agent per
// enforcement point (Kubernetes node or workload host; none for unmanaged
// workloads), either
//  - in-process (tests): agent threads that enter their node's namespace,
//    listeners served by a thread; everything stops with Down()/~Lab. The
//    agents enforce what SetObjects() gives them or, with
//    LabOptions::controller, follow a controller (ControllerSource); or
//  - detached (CLI): `<agent_exe> agent -f ... --node N` run through
//    `ip netns exec`, and a forked listener process; they outlive the
//    command and `lab down` stops them by the pids in the state file.
//    They hold none of the caller's stdio: their stdout and stderr go to
//    <state_dir>/<lab>-agent-<node>.log and <state_dir>/<lab>-listeners.log.
//    With LabOptions::controller, each agent is instead
//    `<agent_exe> agent --controller URL --node N --netns ms-<lab>-n<i> ...`
//    started in the caller's namespace: it enrolls with a join token
//    (LabOptions::join_token) and talks mutual TLS to the controller from
//    there, and enforces (nftables, conntrack, flow collectors) in the
//    node's namespace; its key and certificate are kept in
//    <state_dir>/<lab>-agents/N, removed by Sweep().
// Every namespace is named "ms-<lab>-..." and a state file
// <state_dir>/<lab>.json is written before anything is created, so Sweep()
// removes everything even after a crash.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "agent/controller_source.h"
#include "agent/kernel_agent.h"
#include "common/status.h"
#include "lab/listeners.h"
#include "lab/topology.h"
#include "model/object_set.h"

namespace microseg::lab {

// A join token for one node's agent (POST /api/v1/join-tokens).
struct LabJoinToken {
  std::string token;
  std::string ca_sha256;  // the controller CA's fingerprint, when no ca file is given
};

// The controller a detached lab's agents follow, as recorded in the state
// file (for `lab probe`: the model comes from the same place).
struct LabControllerRef {
  std::string server;      // "" when the agents read manifests
  std::string token_file;  // the admin token's file given to `lab up`, if any
  std::string ca_file;     // the controller's CA, if given
};

struct LabOptions {
  std::string name = "lab";  // namespaces are "ms-<name>-*"
  std::string state_dir = "/run/microseg/lab";
  // Detached mode: the microseg executable and the manifests its agents read.
  // Empty agent_exe: in-process agents fed by SetObjects().
  std::string agent_exe;
  std::vector<std::string> manifest_paths;
  // The agents' plan options, except failsafe ports: the lab's agents get
  // none that a probe could hit (the model knows nothing of them).
  PlanOptions plan;
  std::chrono::milliseconds agent_poll{100};
  // Controller-fed mode (in-process only): each agent follows this
  // controller through a ControllerSource (its node's span, the watch,
  // status reports) instead of SetObjects(); the objects given to Up() then
  // only shape the topology. The sources' requests are made from the
  // namespace Up() was called in, so a controller on its loopback works.
  // Detached mode too: each agent process follows the controller (see the
  // top of the file); manifest_paths are then only recorded.
  std::string controller;  // "http://HOST:PORT"; empty: SetObjects() feeds the agents
  std::string controller_token;  // in-process; detached with http://: written for the agents
  // Detached, https://: a join token per node, asked for before any agent
  // starts; the agents trust controller_ca_file, else the token's fingerprint.
  std::function<Result<LabJoinToken>(const std::string& node)> join_token;
  std::string controller_ca_file;
  std::string controller_token_file;  // recorded for `lab probe`
  int agent_flow_interval_s = 2;      // detached agents' flow shipments
  // Addresses and ports to lay out beyond the objects' (see topology.h).
  LabExtras extras;
  // Detached: how long Up() waits for every agent's first apply; zero:
  // LoadScaledWait() (20 s times the load per CPU, at most 300 s).
  std::chrono::milliseconds agent_wait{0};
};

class Lab {
 public:
  static Result<std::unique_ptr<Lab>> Up(const ObjectSet& objects, LabOptions options);
  ~Lab();  // in-process: Down(); detached: leaves everything running

  Status Down();
  const LabTopology& topology() const { return topology_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // In-process agents: the policy they enforce from now on.
  void SetObjects(ObjectSet objects);
  // Gives a pod a new IP (delete + recreate): the pod's address and every
  // node's route follow. The caller updates the objects to match.
  Status MovePod(const std::string& key, const std::string& new_ip);
  // Waits until every in-process agent has applied the current objects
  // (controller-fed: until every agent has synced once; wait for a revision
  // through the controller's GET /api/v1/agents).
  bool WaitForAgents(std::chrono::milliseconds timeout);
  // The in-process agents' counters, in node order.
  std::vector<Agent::Snapshot> AgentSnapshots();

 private:
  Lab() = default;
  Status Build();
  Status AddPod(const LabPod& pod);
  Status StartInProcess();
  Status StartDetached();
  Status WaitForDetachedAgents(const std::vector<int>& pids, std::chrono::milliseconds timeout);
  Status WriteState(const std::vector<int>& pids) const;

  LabOptions options_;
  LabTopology topology_;
  std::vector<std::string> warnings_;
  bool detached_ = false;
  bool down_ = false;

  // In-process mode.
  std::mutex mu_;
  ObjectSet objects_;         // guarded by mu_
  uint64_t generation_ = 0;   // guarded by mu_; bumped by SetObjects
  std::vector<std::unique_ptr<KernelAgent>> agents_;
  std::vector<uint64_t> applied_;  // guarded by mu_: generation applied per agent
  std::vector<std::thread> threads_;
  std::unique_ptr<Listeners> listeners_;
  // Controller-fed mode: one source per agent (outlives it), and the
  // namespace their requests are made from.
  std::vector<std::unique_ptr<ControllerSource>> sources_;
  int host_netns_fd_ = -1;
};

// Stops the processes recorded in <state_dir>/<name>.json, deletes every
// "ms-<name>-*" namespace and the state file. Safe to run any time.
Status Sweep(const std::string& name, const std::string& state_dir);

// The topology recorded by `lab up` (for `lab probe`).
Result<LabTopology> ReadState(const std::string& name, const std::string& state_dir,
                              std::vector<std::string>* manifest_paths,
                              LabControllerRef* controller = nullptr);

}  // namespace microseg::lab
