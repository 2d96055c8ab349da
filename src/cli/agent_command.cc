// `microseg agent -f PATH --node NAME`: enforce policy on this host with
// nftables, reloading the manifests when they change. Runs until SIGINT or
// SIGTERM; the table stays in the kernel when it exits (enforcement
// continues; the next start reconciles without a gap).
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "agent/agent.h"
#include "cli/dataplane_commands.h"
#include "dataplane/nft/libnftables_executor.h"

namespace microseg::cli {
namespace {

struct AgentArgs {
  std::vector<std::string> paths;
  std::string node;
  int poll_ms = 500;
  int log_group = 100;
  std::vector<std::string> failsafe_in = {"tcp:22", "tcp:9443"};
  std::vector<std::string> failsafe_out = {"udp:53", "tcp:6443"};
  bool once = false;
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

}  // namespace

Action InstallAgent(CLI::App& app) {
  auto a = std::make_shared<AgentArgs>();
  app.add_option("-f,--filename", a->paths, "Manifest files or directories (reloaded on change)")->required();
  app.add_option("--node", a->node, "This enforcement point's node (or host) name")->required();
  app.add_option("--poll-ms", a->poll_ms, "How often to check the manifests for changes")->capture_default_str();
  app.add_option("--log-group", a->log_group, "NFLOG group for would-deny flows (visibility mode)")
      ->capture_default_str();
  app.add_option("--failsafe-in", a->failsafe_in, "Host ports always open inbound, PROTO:PORT")
      ->capture_default_str();
  app.add_option("--failsafe-out", a->failsafe_out, "Host ports always open outbound, PROTO:PORT")
      ->capture_default_str();
  app.add_flag("--once", a->once, "Sync once and exit");
  return [a]() {
    AgentOptions options;
    options.node = a->node;
    options.poll_interval = std::chrono::milliseconds(a->poll_ms);
    options.plan.log_group = static_cast<uint16_t>(a->log_group);
    if (!ParseFailsafe(a->failsafe_in, &options.plan.failsafe_inbound) ||
        !ParseFailsafe(a->failsafe_out, &options.plan.failsafe_outbound)) {
      std::cerr << "error: failsafe ports are PROTO:PORT, e.g. tcp:22\n";
      return 1;
    }
    nft::LibNftablesExecutor executor;
    Agent agent(options, ManifestSource(a->paths), &executor);
    if (a->once) {
      Status s = agent.SyncOnce();
      if (!s.ok()) std::cerr << "error: " << s.message() << "\n";
      return s.ok() ? 0 : 1;
    }
    agent.set_on_sync([node = a->node](const Status& s, const Agent::Snapshot& snap) {
      if (!s.ok()) {
        std::cerr << "agent " << node << ": sync failed, still enforcing the last policy: "
                  << s.message() << "\n";
        return;
      }
      const char* kind = snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kReplace ? "replace"
                         : snap.last_apply.kind == nft::NftDataplane::Stats::Kind::kDelta ? "delta"
                                                                                          : "no change";
      std::cerr << "agent " << node << ": synced (" << kind << ", " << snap.last_apply.element_ops
                << " element ops, plan " << snap.plan_elements << " elements)\n";
    });
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
    agent.Run();
    signals.join();
    return 0;
  };
}

}  // namespace microseg::cli
