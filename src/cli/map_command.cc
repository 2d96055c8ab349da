// `microseg map`: the application dependency map of observed flows, as
// JSON or Graphviz DOT: from flow files (--flows), or from the controller's
// aggregates (no --flows; GET /api/v1/flows).
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/engine_source.h"
#include "cli/flow_commands.h"
#include "controller/client/api_client.h"
#include "flow/aggregate_json.h"
#include "flow/dependency_map.h"
#include "flow/flow_source.h"

namespace microseg::cli {
namespace {

struct MapArgs {
  std::vector<std::string> manifests;
  std::vector<std::string> flows;
  std::string group_by = "app";
  std::string output = "json";
  size_t max_entries = 1'000'000;
  ClientFlags client;
};

// Every aggregate the controller holds, enriched with its objects.
Result<std::vector<AggregatedFlow>> FetchControllerFlows(const ClientFlags& flags) {
  auto config = ResolveClientConfig(flags);
  if (!config.ok()) return config.status();
  auto reply = ApiClient(config->server, config->token, config->tls).QueryFlows("");
  if (!reply.ok()) return reply.status();
  if (!reply->is_object() || !reply->contains("items")) {
    return Status::Error(config->server + ": unexpected flows reply");
  }
  return AggregatedFlowsFromJson((*reply)["items"]);
}

}  // namespace

Action InstallMap(CLI::App& app) {
  auto args = std::make_shared<MapArgs>();
  app.add_option("-f,--filename", args->manifests,
                 "Manifest files or directories, to name endpoints (without: IPs only)");
  app.add_option("--flows", args->flows,
                 "Flow files, JSON lines ('-' for stdin); without: ask the controller");
  app.add_option("--group-by", args->group_by,
                 "Group endpoints by a label (default app), 'namespace' or 'workload'");
  app.add_option("-o,--output", args->output, "json or dot")->check(CLI::IsMember({"json", "dot"}));
  app.add_option("--max-entries", args->max_entries,
                 "Aggregates kept per endpoint pair before folding into per-app rollups")
      ->check(CLI::PositiveNumber);
  AddClientFlags(app, &args->client);
  return [args]() {
    auto by = GroupBy::Parse(args->group_by);
    if (!by.ok()) return Fail(by.status().message());
    std::vector<AggregatedFlow> flows;
    if (args->flows.empty()) {
      if (!args->manifests.empty()) {
        return Fail("-f goes with --flows; the controller names endpoints from its own objects");
      }
      auto fetched = FetchControllerFlows(args->client);
      if (!fetched.ok()) return Fail(fetched.status().message());
      flows = std::move(*fetched);
    } else {
      AggregatorOptions options;
      options.max_entries = args->max_entries;
      auto in = LoadFlowInputs(args->manifests, args->flows, options);
      if (!in.ok()) return Fail(in.status().message());
      for (const std::string& w : in->warnings) std::cerr << "warning: " << w << "\n";
      flows = std::move(in->flows);
    }
    DependencyMap map = BuildDependencyMap(flows, *by);
    if (args->output == "dot") {
      std::cout << DependencyMapToDot(map);
    } else {
      std::cout << DependencyMapToJson(map).dump(2) << "\n";
    }
    return 0;
  };
}

}  // namespace microseg::cli
