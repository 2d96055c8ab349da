// `microseg flows`: query observed flows (a file today, the controller
// later) by source, destination, verdict and time.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/engine_source.h"
#include "cli/flow_commands.h"
#include "flow/dependency_map.h"
#include "flow/flow_query.h"
#include "flow/flow_source.h"
#include "flow/flow_time.h"

namespace microseg::cli {
namespace {

struct FlowsArgs {
  std::vector<std::string> manifests;
  std::vector<std::string> flows;
  std::string from, to, verdict, since;
  std::string output = "text";
  size_t limit = 0;
  size_t max_entries = 1'000'000;
};

// "15m" (before now) or an RFC 3339 time.
Result<int64_t> ParseSince(const std::string& text) {
  if (auto t = ParseRfc3339(text)) return *t;
  auto d = ParseDuration(text);
  if (!d) {
    return Status::Error("--since: expected a duration (15m, 2h, 1d) or an RFC 3339 time, got \"" +
                         text + "\"");
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return static_cast<int64_t>(now) - *d;
}

Result<FlowQuery> BuildQuery(const FlowsArgs& a) {
  FlowQuery q;
  q.limit = a.limit;
  for (auto [text, slot, flag] :
       {std::tuple{&a.from, &q.from, "--from"}, std::tuple{&a.to, &q.to, "--to"}}) {
    if (text->empty()) continue;
    auto sel = EndpointSelector::Parse(*text);
    if (!sel.ok()) return Status::Error(std::string(flag) + ": " + sel.status().message());
    *slot = *sel;
  }
  if (!a.verdict.empty()) q.verdict = ParseFlowVerdict(a.verdict);
  if (!a.since.empty()) {
    auto since = ParseSince(a.since);
    if (!since.ok()) return since.status();
    q.since = *since;
  }
  return q;
}

void PrintTable(const std::vector<AggregatedFlow>& flows) {
  std::vector<std::vector<std::string>> rows = {
      {"LAST", "SOURCE", "DESTINATION", "PORT", "VERDICT", "FLOWS", "PACKETS", "BYTES", "POLICY"}};
  for (const AggregatedFlow& f : flows) {
    std::string policies;
    if (f.decision) {
      for (const std::string& p : f.decision->policies)
        policies += (policies.empty() ? "" : "; ") + p;
    }
    rows.push_back({FormatRfc3339(f.last), f.src->DisplayName(), f.dst->DisplayName(),
                    PortName(f.protocol, f.port), std::string(FlowVerdictName(f.verdict)),
                    std::to_string(f.flows), std::to_string(f.packets), std::to_string(f.bytes),
                    policies.empty() ? "-" : policies});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::cout << row[i];
      if (i + 1 < row.size()) std::cout << std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << "\n";
  }
}

}  // namespace

Action InstallFlows(CLI::App& app) {
  auto args = std::make_shared<FlowsArgs>();
  app.add_option("--flows", args->flows, "Flow files, JSON lines ('-' for stdin)")->required();
  app.add_option("-f,--filename", args->manifests,
                 "Manifest files or directories, to name endpoints (without: IPs only)");
  app.add_option(
      "--from", args->from,
      "Source: ns/pod, ns/*, workload/NAME, node/NAME, label selector (app=web) or CIDR");
  app.add_option("--to", args->to, "Destination, as --from");
  app.add_option("--verdict", args->verdict, "allow, deny or would-deny")
      ->check(CLI::IsMember({"allow", "deny", "would-deny"}));
  app.add_option("--since", args->since, "Last seen within a duration (15m) or since a time");
  app.add_option("--limit", args->limit, "Print at most this many aggregates");
  app.add_option("-o,--output", args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--max-entries", args->max_entries,
                 "Aggregates kept per endpoint pair before folding into per-app rollups")
      ->check(CLI::PositiveNumber);
  return [args]() {
    auto query = BuildQuery(*args);
    if (!query.ok()) return Fail(query.status().message());
    if (args->manifests.empty() && ((query->from && query->from->NeedsIdentity()) ||
                                    (query->to && query->to->NeedsIdentity()))) {
      return Fail("--from/--to name pods, workloads or labels: give the manifests with -f");
    }
    AggregatorOptions options;
    options.max_entries = args->max_entries;
    auto in = LoadFlowInputs(args->manifests, args->flows, options);
    if (!in.ok()) return Fail(in.status().message());
    for (const std::string& w : in->warnings) std::cerr << "warning: " << w << "\n";
    std::vector<AggregatedFlow> result = QueryFlows(in->flows, *query);
    if (args->output == "json") {
      nlohmann::json j = nlohmann::json::array();
      for (const AggregatedFlow& f : result) j.push_back(AggregatedFlowToJson(f));
      std::cout << j.dump(2) << "\n";
    } else {
      PrintTable(result);
    }
    return 0;
  };
}

}  // namespace microseg::cli
