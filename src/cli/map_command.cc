// `microseg map`: the application dependency map of observed flows, as
// JSON or Graphviz DOT.
#include <iostream>
#include <memory>

#include "cli/engine_source.h"
#include "cli/flow_commands.h"
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
};

}  // namespace

Action InstallMap(CLI::App& app) {
  auto args = std::make_shared<MapArgs>();
  app.add_option("-f,--filename", args->manifests,
                 "Manifest files or directories, to name endpoints (without: IPs only)");
  app.add_option("--flows", args->flows, "Flow files, JSON lines ('-' for stdin)")->required();
  app.add_option("--group-by", args->group_by,
                 "Group endpoints by a label (default app), 'namespace' or 'workload'");
  app.add_option("-o,--output", args->output, "json or dot")->check(CLI::IsMember({"json", "dot"}));
  app.add_option("--max-entries", args->max_entries,
                 "Aggregates kept per endpoint pair before folding into per-app rollups")
      ->check(CLI::PositiveNumber);
  return [args]() {
    auto by = GroupBy::Parse(args->group_by);
    if (!by.ok()) return Fail(by.status().message());
    AggregatorOptions options;
    options.max_entries = args->max_entries;
    auto in = LoadFlowInputs(args->manifests, args->flows, options);
    if (!in.ok()) return Fail(in.status().message());
    for (const std::string& w : in->warnings) std::cerr << "warning: " << w << "\n";
    DependencyMap map = BuildDependencyMap(in->flows, *by);
    if (args->output == "dot") {
      std::cout << DependencyMapToDot(map);
    } else {
      std::cout << DependencyMapToJson(map).dump(2) << "\n";
    }
    return 0;
  };
}

}  // namespace microseg::cli
