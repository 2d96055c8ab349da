// `microseg recommend`: least-privilege policy from observed flows,
// verified in the model, with what it would change, before anyone applies it.
//
// Input: manifests (-f) and flow files (--flows), or, with neither, the
// controller (--server, $MICROSEG_SERVER, the config file): its objects and
// the aggregates of the flows its agents shipped (GET /api/v1/flows).
// The manifests go to stdout (redirect them to a file to review and apply);
// the verification report goes to stderr. Exit codes: 0 verified, 1 bad
// input, 2 an observed flow would be denied after applying.
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/engine_source.h"
#include "cli/flow_commands.h"
#include "controller/client/api_client.h"
#include "flow/aggregate_json.h"
#include "flow/dependency_map.h"
#include "flow/flow_source.h"
#include "flow/recommend.h"
#include "flow/recommend_verify.h"
#include "flow/recommend_yaml.h"
#include "ingest/manifest_loader.h"

namespace microseg::cli {
namespace {

struct RecommendArgs {
  std::vector<std::string> manifests;
  std::vector<std::string> flows;
  std::string kind = "networkpolicy";
  std::string group_by = "app";
  std::string output = "yaml";
  bool include_denied = false;
  bool show_changes = false;
  size_t max_entries = 1'000'000;
  ClientFlags client;
};

// The controller's objects and its aggregates of the flows agents shipped
// (enriched there with the same objects).
Result<FlowInputs> LoadControllerInputs(const ClientFlags& flags) {
  auto config = ResolveClientConfig(flags);
  if (!config.ok()) return config.status();
  auto objects = FetchObjectSet(*config);
  if (!objects.ok()) {
    return Status::Error("the controller at " + config->server +
                         " did not answer: " + objects.status().message());
  }
  auto reply = ApiClient(config->server, config->token, config->tls).QueryFlows("");
  if (!reply.ok()) return reply.status();
  if (!reply->is_object() || !reply->contains("items")) {
    return Status::Error(config->server + ": unexpected flows reply");
  }
  auto flows = AggregatedFlowsFromJson((*reply)["items"]);
  if (!flows.ok()) return Status::Error(config->server + ": " + flows.status().message());
  FlowInputs in;
  in.objects = std::move(*objects);
  in.engine = std::make_unique<PolicyEngine>();
  in.engine->Load(in.objects);
  in.flows = std::move(*flows);
  in.totals = SumFlows(in.flows);
  in.folded = reply->value("folded", uint64_t{0});
  return in;
}

void Append(ObjectSet& into, ObjectSet from) {
  auto move_all = [](auto& dst, auto& src) {
    for (auto& o : src) dst.push_back(std::move(o));
  };
  move_all(into.network_policies, from.network_policies);
  move_all(into.rulesets, from.rulesets);
  move_all(into.ip_lists, from.ip_lists);
  move_all(into.enforcement_modes, from.enforcement_modes);
}

std::string Ports(const std::set<std::pair<Protocol, uint16_t>>& ports) {
  std::string out;
  for (const auto& [protocol, port] : ports)
    out += (out.empty() ? "" : ",") + PortName(protocol, port);
  return out;
}

void PrintReport(const Recommendation& rec, const VerifyReport& r, bool show_changes) {
  const ObjectSet& o = rec.objects;
  std::cerr << "recommend: " << o.network_policies.size() << " NetworkPolicies, "
            << o.rulesets.size() << " Rulesets, " << o.ip_lists.size() << " IPLists, "
            << o.enforcement_modes.size() << " EnforcementModes from " << rec.covered.size()
            << " observed aggregates\n";
  for (const std::string& note : rec.notes) std::cerr << "  note: " << note << "\n";
  std::cerr << "verify: observed flows allowed after: " << r.observed_allowed << "/" << r.observed
            << "\n";
  for (const std::string& b : r.observed_blocked) std::cerr << "  BLOCKED " << b << "\n";
  std::cerr << "verify: other (source, destination, port) among observed endpoints and ports: "
            << r.unobserved << "; denied " << r.unobserved_denied
            << ", allowed as members of an observed group pair " << r.unobserved_group_allowed
            << ", unenforced (both ends external or unmanaged) " << r.unobserved_unenforced
            << ", allowed otherwise " << r.unobserved_allowed_count << "\n";
  for (const std::string& a : r.unobserved_allowed) std::cerr << "  allowed: " << a << "\n";
  if (r.truncated) std::cerr << "  (stopped early: too many pairs to check)\n";
  std::cerr << "changes: " << r.changes.size()
            << " group pairs have traffic that passes today and would be denied";
  if (!show_changes) {
    std::cerr << (r.changes.empty() ? "\n" : " (--show-changes lists them)\n");
    return;
  }
  std::cerr << ":\n";
  for (const GroupChange& c : r.changes) {
    std::cerr << "  " << c.from << " -> " << c.to << ": " << Ports(c.ports) << " (" << c.pairs
              << (c.pairs == 1 ? " endpoint pair/port)\n" : " endpoint pairs/ports)\n");
  }
}

}  // namespace

Action InstallRecommend(CLI::App& app) {
  auto args = std::make_shared<RecommendArgs>();
  app.add_option("-f,--filename", args->manifests,
                 "Manifest files or directories ('-' for stdin); with --flows");
  app.add_option("--flows", args->flows,
                 "Flow files, JSON lines ('-' for stdin); without -f and --flows: the controller's "
                 "objects and flows");
  app.add_option("--kind", args->kind,
                 "Policy for pods: networkpolicy or ruleset (hosts and VMs always get Rulesets)")
      ->check(CLI::IsMember({"networkpolicy", "ruleset"}));
  app.add_option("--group-by", args->group_by,
                 "Group endpoints by a label (default app), 'namespace' or 'workload'");
  app.add_option("-o,--output", args->output, "yaml")->check(CLI::IsMember({"yaml"}));
  app.add_flag("--include-denied", args->include_denied, "Also allow flows that were denied");
  app.add_flag("--show-changes", args->show_changes,
               "List, per pair of groups, traffic that passes today and would be denied");
  app.add_option("--max-entries", args->max_entries, "Aggregates kept before folding")
      ->check(CLI::PositiveNumber);
  AddClientFlags(app, &args->client);
  return [args]() {
    RecommendOptions options;
    auto by = GroupBy::Parse(args->group_by);
    if (!by.ok()) return Fail(by.status().message());
    options.group_by = *by;
    options.kind = args->kind == "ruleset" ? RecommendOptions::Kind::kRuleset
                                           : RecommendOptions::Kind::kNetworkPolicy;
    options.include_denied = args->include_denied;
    AggregatorOptions aggregation;
    aggregation.max_entries = args->max_entries;
    if (args->flows.empty() != args->manifests.empty()) {
      return Fail(args->flows.empty()
                      ? "-f goes with --flows; without both, the controller's objects and flows"
                      : "--flows needs the manifests (-f) that name its endpoints");
    }
    auto in = args->flows.empty() ? LoadControllerInputs(args->client)
                                  : LoadFlowInputs(args->manifests, args->flows, aggregation);
    if (!in.ok()) return Fail(in.status().message());
    for (const std::string& w : in->warnings) std::cerr << "warning: " << w << "\n";

    Recommendation rec = Recommend(in->flows, options);
    std::string yaml = ObjectsToYaml(
        rec.objects, "Recommended by microseg from " + std::to_string(in->totals.flows) +
                         " observed flow records (--group-by " + args->group_by + ").");
    // Verify what will be applied: the YAML as the loader reads it.
    auto parsed = ParseManifests(yaml, "<recommendation>");
    if (!parsed.ok()) return Fail("the recommendation does not load: " + parsed.status().message());
    ObjectSet merged = in->objects;
    Append(merged, std::move(parsed->objects));
    PolicyEngine after;
    after.Load(std::move(merged));
    VerifyReport report = VerifyRecommendation(*in->engine, after, rec.covered, options.group_by);

    std::cout << yaml;
    PrintReport(rec, report, args->show_changes);
    return report.ok() ? 0 : 2;
  };
}

}  // namespace microseg::cli
