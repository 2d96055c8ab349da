// `microseg matrix`: the truth table over all endpoints, self pairs
// included, in the layout of the Kubernetes e2e reachability tables.
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_source.h"

namespace microseg::cli {
namespace {

struct MatrixArgs {
  PolicyInput input;
  int port = 0;
  std::string protocol = "TCP";
  std::string output = "text";
  bool all_kinds = false;
};

char Cell(const Verdict& v) {
  if (v.allowed()) return '.';
  return v.would_deny() ? 'w' : 'X';
}

}  // namespace

Action InstallMatrix(CLI::App& app) {
  auto args = std::make_shared<MatrixArgs>();
  AddPolicyInputOptions(app, &args->input);
  app.add_option("--port", args->port, "Destination port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--protocol", args->protocol, "TCP, UDP or SCTP")
      ->check(CLI::IsMember({"TCP", "UDP", "SCTP"}, CLI::ignore_case));
  app.add_option("-o,--output", args->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--all-kinds", args->all_kinds, "Include workloads and nodes, not only pods");
  return [args]() {
    auto engine = LoadEngine(args->input);
    if (!engine.ok()) return Fail(engine.status().message());
    std::string upper = args->protocol;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Protocol protocol = *ParseProtocol(upper);
    auto port = static_cast<uint16_t>(args->port);
    std::vector<Endpoint> endpoints = (*engine)->Endpoints(args->all_kinds);

    if (args->output == "json") {
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const Endpoint& from : endpoints) {
        for (const Endpoint& to : endpoints) {
          Verdict v = (*engine)->Check(from, to, protocol, port);
          rows.push_back({{"from", from.DisplayName()}, {"to", to.DisplayName()}, {"verdict", v.Name()}});
        }
      }
      nlohmann::ordered_json out = {{"port", port}, {"protocol", ProtocolName(protocol)}, {"rows", rows}};
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    size_t width = 1;
    for (const Endpoint& e : endpoints) width = std::max(width, e.DisplayName().size());
    auto pad = [&](const std::string& s) { return s + std::string(width - s.size() + 1, ' '); };
    std::cout << "Reachability " << ProtocolName(protocol) << "/" << port
              << " (rows: from, columns: to; '.' allow, 'X' deny, 'w' would-deny in visibility mode)\n";
    std::cout << pad("-");
    for (const Endpoint& e : endpoints) std::cout << pad(e.DisplayName());
    std::cout << "\n";
    for (const Endpoint& from : endpoints) {
      std::cout << pad(from.DisplayName());
      for (const Endpoint& to : endpoints) {
        std::cout << pad(std::string(1, Cell((*engine)->Check(from, to, protocol, port))));
      }
      std::cout << "\n";
    }
    return 0;
  };
}

}  // namespace microseg::cli
