// `microseg lab up|probe|down -f PATH`: the manifests' cluster as network
// namespaces on this machine, one real agent per node and per workload host;
// `probe` compares real connections with the model. See src/lab/lab.h.
//
// `lab up --controller URL [-f PATH] [--token-file F] [--ca-file F]`: the
// agents follow the controller instead (each `microseg agent --controller
// URL --netns ms-<lab>-n<i>`, enrolled with a join token made here through
// the admin API, mutual TLS from then on). The controller is the one source:
// -f manifests are applied to it first (as `microseg apply -f`), and the
// topology is built from its objects, so without -f the lab is whatever the
// controller already holds. `lab probe` then takes the model from the
// controller too, the same objects the agents enforce.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include <thread>

#include "cli/client_config.h"
#include "cli/dataplane_commands.h"
#include "cli/engine_source.h"
#include "controller/client/api_client.h"
#include "ingest/json_text.h"
#include "ingest/manifest_loader.h"
#include "lab/lab.h"
#include "lab/load_wait.h"
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
  std::string family = "IPv4";
  std::string output = "text";
  int timeout_ms = 300;
  ClientFlags client;  // --controller (as server), --token-file, --ca-file, --config
  int wait_s = 0;  // 0: lab::LoadScaledWait()
  std::vector<std::string> from, to;  // probe: only these endpoints
};

// --wait-s, or (0) a wait that grows with the machine's load.
std::chrono::seconds AgentWait(const LabArgs& a) {
  return a.wait_s > 0 ? std::chrono::seconds(a.wait_s) : lab::LoadScaledWait();
}

std::string SelfExe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "microseg" : p.string();
}

std::string Absolute(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).string();
}

// Polls GET /api/v1/agents until every node's agent reported a successful
// sync, or `timeout` passes.
Status WaitForAgentsSynced(const ApiClient& client, const lab::LabTopology& t,
                           std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string missing;
  for (;;) {
    missing.clear();
    Result<Json> agents = client.ListAgents();
    std::set<std::string> synced;
    if (agents.ok()) {
      for (const Json& item : agents->value("items", Json::array())) {
        if (item.value("syncs", 0) > 0 && item.value("lastError", "").empty()) {
          synced.insert(item.value("name", ""));
        }
      }
    }
    for (const lab::LabNode& n : t.nodes) {
      if (!synced.count(n.name)) missing += (missing.empty() ? "" : ", ") + n.name;
    }
    if (missing.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error("the controller has no successful sync from the agent(s) of " + missing +
                           " after " + std::to_string(timeout.count()) + " s" +
                           (agents.ok() ? "" : " (" + agents.status().message() + ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int UpWithController(const LabArgs& a) {
  Result<ClientConfig> config = ResolveClientConfig(a.client);
  if (!config.ok()) return Fail(config.status().message());
  ApiClient client(config->server, config->token, config->tls);
  if (!a.paths.empty()) {
    Result<std::vector<ManifestSource>> sources = ReadManifestFiles(a.paths);
    if (!sources.ok()) return Fail(sources.status().message());
    Result<Json> reply = client.Apply(*sources);
    if (!reply.ok()) return Fail("applying the manifests to " + config->server + ": " + reply.status().message());
    size_t changed = 0, total = 0;
    for (const Json& entry : reply->value("objects", Json::array())) {
      ++total;
      if (entry.value("result", "") != "unchanged") ++changed;
    }
    std::cout << "applied " << total << " object(s) to " << config->server << " (" << changed
              << " created or configured)\n";
  }
  Result<ObjectSet> objects = FetchObjectSet(*config);
  if (!objects.ok()) return Fail("the controller at " + config->server + ": " + objects.status().message());
  lab::LabOptions o;
  o.name = a.name;
  o.state_dir = a.state_dir;
  o.agent_wait = AgentWait(a);
  o.agent_exe = SelfExe();
  for (const std::string& p : a.paths) o.manifest_paths.push_back(Absolute(p));
  o.controller = config->server;
  o.controller_token = config->token;
  o.controller_ca_file = Absolute(config->tls.ca_file);
  o.controller_token_file = Absolute(a.client.token_file);
  o.join_token = [&client](const std::string& node) -> Result<lab::LabJoinToken> {
    Json request{{"node", node}, {"ttlSeconds", 600}};
    Result<ApiReply> reply = client.Send("POST", "/api/v1/join-tokens", request.dump());
    if (!reply.ok()) return reply.status();
    Json body = ParseUntrustedJson(reply->body);
    if (reply->status != 200 || !body.is_object() || !body.contains("token")) {
      return Status::Error(body.is_object() && body.contains("error") && body["error"].is_string()
                               ? body["error"].get<std::string>()
                               : "HTTP " + std::to_string(reply->status));
    }
    return lab::LabJoinToken{body.value("token", ""), body.value("caSha256", "")};
  };
  auto lab = lab::Lab::Up(*objects, o);
  if (!lab.ok()) return Fail(lab.status().message());
  for (const std::string& w : (*lab)->warnings()) std::cerr << "warning: " << w << "\n";
  const auto& t = (*lab)->topology();
  if (Status s = WaitForAgentsSynced(client, t, AgentWait(a)); !s.ok()) {
    return Fail("lab " + a.name + " is up but " + s.message() + "; see the agent logs in " + a.state_dir +
                " (lab down removes it)");
  }
  std::cout << "lab " << a.name << " up: " << t.nodes.size() << " enforcement point(s), "
            << t.pods.size() << " pod(s), " << t.workloads.size() << " workload(s); namespaces "
            << t.Prefix() << "*; agents follow " << config->server
            << (config->server.rfind("https://", 0) == 0 ? " (mutual TLS)" : " (admin token, plain HTTP)")
            << ", all synced; agent logs in " << a.state_dir << "\n";
  return 0;
}

int Up(const LabArgs& a) {
  if (!a.client.server.empty()) return UpWithController(a);
  if (a.paths.empty()) return Fail("lab up needs -f PATH (or --controller URL)");
  auto loaded = LoadManifests(a.paths);
  if (!loaded.ok()) return Fail(loaded.status().message());
  lab::LabOptions o;
  o.name = a.name;
  o.state_dir = a.state_dir;
  o.agent_wait = AgentWait(a);
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
  lab::LabControllerRef controller;
  auto topology = lab::ReadState(a.name, a.state_dir, &paths, &controller);
  if (!topology.ok()) return Fail(topology.status().message());
  PolicyInput input;
  input.paths = a.paths.empty() ? paths : a.paths;
  if (a.paths.empty() && !controller.server.empty()) {
    // The model of what the agents enforce: the controller's objects.
    input.paths.clear();
    input.client = a.client;
    if (input.client.server.empty()) input.client.server = controller.server;
    if (input.client.token_file.empty()) input.client.token_file = controller.token_file;
    if (input.client.ca_file.empty()) input.client.ca_file = controller.ca_file;
  }
  auto engine = LoadEngine(input);
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
  po.from.insert(a.from.begin(), a.from.end());
  po.to.insert(a.to.begin(), a.to.end());
  po.family = a.family == "IPv6" ? IpFamily::kV6 : IpFamily::kV4;
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
  app.add_option("-f,--filename", a->paths,
                 "Manifests (up: required without --controller, applied to it with; probe: default "
                 "those of up, or the controller's objects)");
  app.add_option("--controller", a->client.server,
                 "up: the agents follow this controller (https://HOST:PORT); probe: default the one of up");
  app.add_option("--token-file", a->client.token_file, "With --controller: the admin token's file");
  app.add_option("--ca-file", a->client.ca_file, "With --controller: the controller's CA (DATA_DIR/ca.crt)");
  app.add_option("--config", a->client.config, "With --controller: client config file (as for apply)");
  app.add_option("--wait-s", a->wait_s,
                 "up: how long to wait for every agent's first apply (with --controller: sync); "
                 "default 0: 20 s times the load per CPU (/proc/loadavg, nproc), at most 300 s")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--name", a->name, "Lab name; namespaces are ms-<name>-*")->capture_default_str();
  app.add_option("--state-dir", a->state_dir, "Where the lab's state file lives")->capture_default_str();
  app.add_option("--port", a->port, "probe: only this port (default: every declared port)");
  app.add_option("--protocol", a->protocol, "probe: only this protocol (TCP, UDP, SCTP)");
  app.add_option("--family", a->family, "probe: between the endpoints' IPv4 or IPv6 addresses")
      ->check(CLI::IsMember({"IPv4", "IPv6"}))
      ->capture_default_str();
  app.add_option("-o,--output", a->output, "probe: text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--from", a->from, "probe: only from this endpoint (ns/pod, workload/NAME); repeatable");
  app.add_option("--to", a->to, "probe: only to this endpoint; repeatable");
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
