// `microseg lab up|probe|down -f PATH`: the manifests' cluster as network
// namespaces on this machine, one real agent per node and per workload host;
// `probe` compares real connections with the model. See src/lab/lab.h.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "cli/dataplane_commands.h"
#include "cli/engine_source.h"
#include "ingest/manifest_loader.h"
#include "lab/lab.h"
#include "lab/probe.h"

namespace microseg::cli {
namespace {

struct LabArgs {
  std::string verb;
  std::vector<std::string> paths;
  std::string name = "lab";
  std::string state_dir = "/run/microseg/lab";
  int port = 0;
  std::string protocol;
  std::string output = "text";
  int timeout_ms = 300;
};

std::string SelfExe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "microseg" : p.string();
}

int Up(const LabArgs& a) {
  if (a.paths.empty()) return Fail("lab up needs -f PATH");
  auto loaded = LoadManifests(a.paths);
  if (!loaded.ok()) return Fail(loaded.status().message());
  lab::LabOptions o;
  o.name = a.name;
  o.state_dir = a.state_dir;
  o.agent_exe = SelfExe();
  for (const std::string& p : a.paths) o.manifest_paths.push_back(std::filesystem::absolute(p).string());
  auto lab = lab::Lab::Up(loaded->objects, o);
  if (!lab.ok()) return Fail(lab.status().message());
  for (const std::string& w : (*lab)->warnings()) std::cerr << "warning: " << w << "\n";
  const auto& t = (*lab)->topology();
  std::cout << "lab " << a.name << " up: " << t.nodes.size() << " enforcement point(s), "
            << t.pods.size() << " pod(s), " << t.workloads.size() << " workload(s); namespaces "
            << t.Prefix() << "*; agent logs in " << a.state_dir << "\n";
  return 0;
}

int ProbeCmd(const LabArgs& a) {
  std::vector<std::string> paths;
  auto topology = lab::ReadState(a.name, a.state_dir, &paths);
  if (!topology.ok()) return Fail(topology.status().message());
  if (!a.paths.empty()) paths = a.paths;
  auto engine = LoadEngine(paths);
  if (!engine.ok()) return Fail(engine.status().message());
  std::set<std::pair<Protocol, uint16_t>> targets;
  std::optional<Protocol> only;
  if (!a.protocol.empty()) {
    only = ParseProtocol(a.protocol);
    if (!only) return Fail("--protocol must be TCP, UDP or SCTP, got \"" + a.protocol + "\"");
  }
  for (const lab::LabEndpoint& e : topology->Endpoints()) {
    for (const lab::LabPort& port : e.ports) {
      if ((a.port == 0 || port.port == a.port) && (!only || port.protocol == *only)) {
        targets.insert({port.protocol, port.port});
      }
    }
  }
  if (targets.empty() && a.port != 0) targets.insert({only.value_or(Protocol::kTCP), static_cast<uint16_t>(a.port)});
  lab::ProbeOptions po;
  po.timeout = std::chrono::milliseconds(a.timeout_ms);
  nlohmann::json all = nlohmann::json::array();
  size_t disagreements = 0;
  for (auto [proto, port] : targets) {
    lab::ProbeTable t = lab::Probe(*topology, **engine, proto, port, po);
    disagreements += t.Disagreements().size();
    if (a.output == "json") {
      all.push_back(t.ToJson());
    } else {
      std::cout << t.ToText() << "\n";
    }
  }
  if (a.output == "json") std::cout << (all.size() == 1 ? all[0] : all).dump() << "\n";
  return disagreements == 0 ? 0 : 2;
}

}  // namespace

Action InstallLab(CLI::App& app) {
  auto a = std::make_shared<LabArgs>();
  app.add_option("verb", a->verb, "up | probe | down")->required()->check(CLI::IsMember({"up", "probe", "down"}));
  app.add_option("-f,--filename", a->paths, "Manifests (up: required; probe: default those of up)");
  app.add_option("--name", a->name, "Lab name; namespaces are ms-<name>-*")->capture_default_str();
  app.add_option("--state-dir", a->state_dir, "Where the lab's state file lives")->capture_default_str();
  app.add_option("--port", a->port, "probe: only this port (default: every declared port)");
  app.add_option("--protocol", a->protocol, "probe: only this protocol (TCP, UDP, SCTP)");
  app.add_option("-o,--output", a->output, "probe: text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--timeout-ms", a->timeout_ms, "probe: per-connection timeout")->capture_default_str();
  return [a]() {
    if (geteuid() != 0) return Fail("lab needs root (network namespaces and nftables)");
    if (a->verb == "up") return Up(*a);
    if (a->verb == "probe") return ProbeCmd(*a);
    Status s = lab::Sweep(a->name, a->state_dir);
    if (!s.ok()) return Fail(s.message());
    std::cout << "lab " << a->name << " down\n";
    return 0;
  };
}

}  // namespace microseg::cli
