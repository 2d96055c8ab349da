#include "controller/http/flow_handlers.h"

#include <chrono>
#include <sstream>

#include "controller/api/object_json.h"
#include "controller/http/http_reply.h"
#include "controller/http/request_auth.h"
#include "flow/endpoint_directory.h"
#include "flow/flow_enricher.h"
#include "flow/flow_file.h"
#include "flow/flow_query.h"
#include "flow/flow_time.h"
#include "ingest/json_text.h"
#include "ingest/manifest_loader.h"
#include "policy/policy_engine.h"

namespace microseg {

namespace {

// Aggregates a query may build before folding into rollups (as the CLI's
// --max-entries default).
constexpr size_t kMaxAggregates = 1'000'000;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// JSON lines, or one JSON array of record objects (first non-blank '[').
Result<std::vector<FlowRecord>> ParseRecords(const std::string& body) {
  std::vector<FlowRecord> out;
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && body[start] == '[') {
    Json items = ParseUntrustedJson(body);
    if (!items.is_array()) return Status::Error("flows body: not a valid JSON array");
    for (size_t i = 0; i < items.size(); ++i) {
      auto r = ParseFlowLine(items[i].dump());
      if (!r.ok()) return Status::Error("flows[" + std::to_string(i) + "]: " + r.status().message());
      out.push_back(std::move(*r));
    }
    return out;
  }
  std::istringstream in(body);
  Status s = ForEachFlow(in, "flows body", [&](FlowRecord&& r) {
    out.push_back(std::move(r));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<FlowQuery> ParseQuery(const httplib::Request& req) {
  FlowQuery q;
  for (auto [name, slot] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    std::string text = req.get_param_value(name);
    if (text.empty()) continue;
    auto sel = EndpointSelector::Parse(text);
    if (!sel.ok()) return Status::Error(std::string(name) + ": " + sel.status().message());
    *slot = *sel;
  }
  if (std::string v = req.get_param_value("verdict"); !v.empty()) {
    q.verdict = ParseFlowVerdict(v);
    if (!q.verdict) return Status::Error("verdict: expected allow, deny or would-deny");
  }
  if (std::string since = req.get_param_value("since"); !since.empty()) {
    q.since = ParseSince(since, Now());
    if (!q.since) return Status::Error("since: expected a duration (15m) or an RFC 3339 time");
  }
  std::optional<int64_t> limit;
  if (!ReadRevisionParam(req, "limit", &limit)) {
    return Status::Error("limit: expected a non-negative integer");
  }
  if (limit) q.limit = static_cast<size_t>(*limit);
  return q;
}

Json TotalsJson(const FlowTotals& t) {
  Json verdicts = Json::object();
  for (FlowVerdict v : kAllFlowVerdicts) {
    verdicts[std::string(FlowVerdictName(v))] = t.flows_by_verdict[static_cast<size_t>(v)];
  }
  return {{"flows", t.flows}, {"packets", t.packets}, {"bytes", t.bytes}, {"verdicts", verdicts}};
}

void HandleQuery(Store* store, FlowService* flows, const httplib::Request& req,
                 httplib::Response& res) {
  Result<FlowQuery> query = ParseQuery(req);
  if (!query.ok()) return ReplyError(res, 400, query.status().message());
  std::unique_lock<std::mutex> serialized = flows->LockQueries();
  Result<FlowService::Aggregates> all = flows->Aggregate(store);
  if (!all.ok()) return ReplyError(res, 503, all.status().message());
  Json items = Json::array();
  for (const AggregatedFlow& f : QueryFlows(all->flows, *query)) {
    items.push_back(AggregatedFlowToJson(f));
  }
  ReplyJson(res, 200,
            {{"items", std::move(items)},
             {"totals", TotalsJson(all->totals)},
             {"records", all->records},
             {"folded", all->folded},
             {"resourceVersion", std::to_string(all->model.revision)}});
}

void HandleIngest(FlowService* flows, const httplib::Request& req, httplib::Response& res) {
  if (!AgentMayPostBody(req, res)) return;  // an agent posts only its own flows
  Result<std::vector<FlowRecord>> records = ParseRecords(req.body);
  if (!records.ok()) return ReplyError(res, 400, records.status().message());
  size_t accepted = records->size();
  Status added = flows->records().Add(std::move(*records), Now());
  if (!added.ok()) return ReplyError(res, 500, added.message());
  FlowStoreStats stats = flows->records().stats();
  ReplyJson(res, 200, {{"accepted", accepted}, {"stored", stats.records}, {"evicted", stats.evicted}});
}

}  // namespace

FlowService::FlowService(FlowStoreOptions options) : records_(options) {}
FlowService::~FlowService() = default;

Status FlowService::Open() { return records_.Open(Now()); }

Result<FlowService::Aggregates> FlowService::Aggregate(Store* store) {
  Result<Model> model = ModelOf(store);
  if (!model.ok()) return model.status();
  std::vector<FlowRecord> records = records_.Records(Now());
  // Per query: the enricher's caches are not thread-safe, and a query reads
  // every kept record anyway.
  FlowEnricher enricher(model->engine.get(), model->directory.get());
  AggregatorOptions options;
  options.max_entries = kMaxAggregates;
  FlowAggregator aggregator(options);
  for (FlowRecord& r : records) aggregator.Add(enricher.Enrich(std::move(r)));
  return Aggregates{*model, aggregator.Snapshot(), aggregator.totals(), aggregator.folded(),
                    records.size()};
}

Result<FlowService::Model> FlowService::ModelOf(Store* store) {
  Result<Snapshot> all = store->List({});
  if (!all.ok()) return all.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (model_.engine && model_.revision == all->revision) return model_;
  // What the store holds was validated by apply (as in SpanComputer).
  Result<LoadedManifests> decoded =
      ParseManifests(DumpJson(RenderList(*all)), "store@" + std::to_string(all->revision));
  if (!decoded.ok()) return decoded.status();
  auto engine = std::make_shared<PolicyEngine>();
  auto directory = std::make_shared<EndpointDirectory>(decoded->objects);
  engine->Load(std::move(decoded->objects));
  model_ = Model{all->revision, std::move(engine), std::move(directory)};
  return model_;
}

void AddFlowRoutes(RouteTable* routes, Store* store, FlowService* flows) {
  routes->push_back({"POST", "/api/v1/flows", Access::kAgentBody,
                     [flows](const httplib::Request& req, httplib::Response& res) {
                       HandleIngest(flows, req, res);
                     }});
  routes->push_back({"GET", "/api/v1/flows", Access::kAdmin,
                     [store, flows](const httplib::Request& req, httplib::Response& res) {
                       HandleQuery(store, flows, req, res);
                     }});
}

}  // namespace microseg
