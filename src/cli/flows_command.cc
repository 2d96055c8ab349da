// `microseg flows`: query observed flows by source, destination, verdict
// and time: from flow files (--flows), or from the controller the agents
// ship their collectors' records to (no --flows; GET /api/v1/flows, which
// applies the same filter, QueryFlows, over its own aggregates).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/engine_source.h"
#include "cli/flow_commands.h"
#include "controller/client/api_client.h"
#include "flow/aggregate_json.h"
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
  ClientFlags client;
};

// "15m" (before now) or an RFC 3339 time.
Result<int64_t> ParseSinceFlag(const std::string& text) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (auto t = ParseSince(text, now)) return *t;
  return Status::Error("--since: expected a duration (15m, 2h, 1d) or an RFC 3339 time, got \"" +
                       text + "\"");
}

// The controller's aggregates for the same filters (it resolves the
// selectors against its own objects; --since goes as the absolute time).
Result<std::vector<AggregatedFlow>> QueryController(const FlowsArgs& a, const FlowQuery& q) {
  auto config = ResolveClientConfig(a.client);
  if (!config.ok()) return config.status();
  std::string query;
  auto add = [&query](const char* name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "" : "&") + std::string(name) + "=" + UrlEncode(value);
  };
  add("from", a.from);
  add("to", a.to);
  add("verdict", a.verdict);
  if (q.since) add("since", FormatRfc3339(*q.since));
  if (a.limit) add("limit", std::to_string(a.limit));
  ApiClient client(config->server, config->token, config->tls);
  auto reply = client.QueryFlows(query);
  if (!reply.ok()) return reply.status();
  if (!reply->is_object() || !reply->contains("items")) {
    return Status::Error(config->server + ": unexpected flows reply");
  }
  return AggregatedFlowsFromJson((*reply)["items"]);
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
    auto since = ParseSinceFlag(a.since);
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
  app.add_option("--flows", args->flows,
                 "Flow files, JSON lines ('-' for stdin); without: ask the controller");
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
  AddClientFlags(app, &args->client);
  return [args]() {
    auto query = BuildQuery(*args);
    if (!query.ok()) return Fail(query.status().message());
    std::vector<AggregatedFlow> result;
    if (args->flows.empty()) {
      if (!args->manifests.empty()) {
        return Fail("-f goes with --flows; the controller names endpoints from its own objects");
      }
      auto fetched = QueryController(*args, *query);
      if (!fetched.ok()) return Fail(fetched.status().message());
      result = std::move(*fetched);
    } else if (args->manifests.empty() && ((query->from && query->from->NeedsIdentity()) ||
                                           (query->to && query->to->NeedsIdentity()))) {
      return Fail("--from/--to name pods, workloads or labels: give the manifests with -f");
    } else {
      AggregatorOptions options;
      options.max_entries = args->max_entries;
      auto in = LoadFlowInputs(args->manifests, args->flows, options);
      if (!in.ok()) return Fail(in.status().message());
      for (const std::string& w : in->warnings) std::cerr << "warning: " << w << "\n";
      result = QueryFlows(in->flows, *query);
    }
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
