// `microseg kube-sync --kubeconfig FILE [--context NAME] --server URL
// --token-file F`: mirror a Kubernetes cluster's pods, namespaces, nodes,
// services and (admin) network policies into the microseg controller,
// until SIGINT or SIGTERM. With --dry-run, print what would be sent.
// docs/KUBE_SYNC.md describes the protocol and its failure handling.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

#include "cli/engine_source.h"
#include "cli/kube_commands.h"
#include "kube/controller/controller_sink.h"
#include "kube/kube_sync.h"

namespace microseg::cli {
namespace {

struct KubeSyncArgs {
  std::string kubeconfig;
  std::string context;
  std::string server;
  std::string token_file;
  std::string ca_file;
  std::vector<std::string> kinds;
  bool dry_run = false;
};

// --dry-run: one line per call on stdout.
class PrintingSink : public kube::ObjectSink {
 public:
  Status Apply(const kube::SyncedObject& object) override {
    std::cout << "apply " << object.key.ToString() << " " << object.json << std::endl;
    return Status::Ok();
  }
  Status Delete(const ObjectKey& key) override {
    std::cout << "delete " << key.ToString() << std::endl;
    return Status::Ok();
  }
  Status Resync(const std::string& kind, const std::vector<ObjectKey>& present) override {
    std::cout << "synced " << kind << " (" << present.size() << " objects)" << std::endl;
    return Status::Ok();
  }
};

// $KUBECONFIG's first entry, else ~/.kube/config (as kubectl).
std::string DefaultKubeconfig() {
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first(env);
    return first.substr(0, first.find(':'));
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.kube/config";
}

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": cannot read token file");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

}  // namespace

Action InstallKubeSync(CLI::App& app) {
  auto args = std::make_shared<KubeSyncArgs>();
  app.add_option("--kubeconfig", args->kubeconfig,
                 "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)");
  app.add_option("--context", args->context, "Kubeconfig context (default: current-context)");
  app.add_option("--server", args->server, "Controller URL, e.g. https://127.0.0.1:7443");
  app.add_option("--token-file", args->token_file, "File holding the controller's bearer token");
  app.add_option("--ca-file", args->ca_file,
                 "The controller's CA certificate (its DATA_DIR/ca.crt), to verify it");
  app.add_option("--kinds", args->kinds, "Only these kinds (default: all)")->delimiter(',');
  app.add_flag("--dry-run", args->dry_run, "Print what would be sent instead of sending it");
  return [args]() {
    std::string path = args->kubeconfig.empty() ? DefaultKubeconfig() : args->kubeconfig;
    Result<kube::ClusterAccess> access = kube::LoadKubeconfig(path, args->context);
    if (!access.ok()) return Fail(access.status().message());

    std::unique_ptr<kube::ObjectSink> sink;
    if (args->dry_run) {
      sink = std::make_unique<PrintingSink>();
    } else {
      if (args->server.empty() || args->token_file.empty()) {
        return Fail("kube-sync: --server and --token-file are required (or use --dry-run)");
      }
      Result<std::string> token = ReadToken(args->token_file);
      if (!token.ok()) return Fail(token.status().message());
      sink = std::make_unique<kube::ControllerSink>(args->server, *token,
                                                    ClientTls{args->ca_file, "", ""});
    }

    // Signals are taken by sigwait below: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    kube::KubeSyncOptions options;
    options.kinds = args->kinds;
    auto log_mu = std::make_shared<std::mutex>();
    options.log = [log_mu](std::string_view line) {
      std::lock_guard lock(*log_mu);
      std::cerr << "kube-sync: " << line << std::endl;
    };
    Result<std::unique_ptr<kube::KubeSync>> sync =
        kube::KubeSync::Start(*access, sink.get(), std::move(options));
    if (!sync.ok()) return Fail(sync.status().message());
    std::cerr << "kube-sync: watching " << access->server << "\n";
    int sig = 0;
    sigwait(&signals, &sig);
    (*sync)->Stop();
    return 0;
  };
}

}  // namespace microseg::cli
