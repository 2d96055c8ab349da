#include "controller/http/ui_handlers.h"

#include <httplib.h>

#include <chrono>
#include <set>
#include <string_view>

#include "controller/http/flow_handlers.h"
#include "controller/http/http_reply.h"
#include "controller/http/ui_assets.h"
#include "flow/dependency_map.h"
#include "flow/endpoint_selector.h"
#include "flow/flow_query.h"
#include "flow/flow_time.h"
#include "flow/grouping.h"
#include "policy/policy_engine.h"

namespace microseg {

namespace {

// Label facets offered to the UI's filter.
constexpr size_t kMaxLabelFacets = 200;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The parameters shared by both map routes.
struct MapQuery {
  GroupBy group;
  FlowQuery flows;                            // verdict, since
  std::optional<EndpointSelector> namespace_;  // either end in the namespace
  std::optional<EndpointSelector> label;      // either end matches

  bool Keeps(const AggregatedFlow& f) const {
    for (const auto* sel : {&namespace_, &label}) {
      if (*sel && !(*sel)->Matches(*f.src) && !(*sel)->Matches(*f.dst)) return false;
    }
    return true;
  }
};

Result<MapQuery> ParseMapQuery(const httplib::Request& req) {
  MapQuery q;
  std::string group = req.get_param_value("group");
  auto by = GroupBy::Parse(group.empty() ? "app" : group);
  if (!by.ok()) return Status::Error("group: " + by.status().message());
  q.group = *by;
  if (std::string v = req.get_param_value("verdict"); !v.empty()) {
    q.flows.verdict = ParseFlowVerdict(v);
    if (!q.flows.verdict) return Status::Error("verdict: expected allow, deny or would-deny");
  }
  if (std::string since = req.get_param_value("since"); !since.empty()) {
    q.flows.since = ParseSince(since, Now());
    if (!q.flows.since) return Status::Error("since: expected a duration (15m) or an RFC 3339 time");
  }
  if (std::string ns = req.get_param_value("namespace"); !ns.empty()) {
    if (ns.find('/') != std::string::npos) return Status::Error("namespace: not a namespace name");
    auto sel = EndpointSelector::Parse(ns + "/*");
    if (!sel.ok()) return Status::Error("namespace: " + sel.status().message());
    q.namespace_ = *sel;
  }
  if (std::string label = req.get_param_value("label"); !label.empty()) {
    auto sel = EndpointSelector::Parse(label);
    if (!sel.ok()) return Status::Error("label: " + sel.status().message());
    q.label = *sel;
  }
  return q;
}

std::vector<AggregatedFlow> Filter(const std::vector<AggregatedFlow>& all, const MapQuery& q) {
  std::vector<AggregatedFlow> out;
  for (AggregatedFlow& f : QueryFlows(all, q.flows)) {
    if (q.Keeps(f)) out.push_back(std::move(f));
  }
  return out;
}

// What the filters can choose from, over every aggregate (unfiltered).
Json Facets(const std::vector<AggregatedFlow>& all) {
  std::set<std::string> namespaces, labels;
  for (const AggregatedFlow& f : all) {
    for (const EndpointInfo* e : {f.src.get(), f.dst.get()}) {
      if (!e->namespace_name.empty()) namespaces.insert(e->namespace_name);
      for (const auto& [k, v] : e->labels.entries()) {
        if (labels.size() < kMaxLabelFacets) labels.insert(k + "=" + v);
      }
    }
  }
  return {{"namespaces", namespaces}, {"labels", labels}};
}

void HandleMap(Store* store, FlowService* service, const httplib::Request& req,
               httplib::Response& res) {
  Result<MapQuery> query = ParseMapQuery(req);
  if (!query.ok()) return ReplyError(res, 400, query.status().message());
  std::unique_lock<std::mutex> serialized = service->LockQueries();
  Result<FlowService::Aggregates> all = service->Aggregate(store);
  if (!all.ok()) return ReplyError(res, 503, all.status().message());
  Json map = DependencyMapToJson(BuildDependencyMap(Filter(all->flows, *query), query->group));
  for (Json& edge : map["edges"]) {
    edge["id"] = edge["from"].get<std::string>() + "->" + edge["to"].get<std::string>();
  }
  map["facets"] = Facets(all->flows);
  map["records"] = all->records;
  map["resourceVersion"] = std::to_string(all->model.revision);
  ReplyJson(res, 200, map);
}

Json DirectionJson(Direction d, const Endpoint& at, const DirectionVerdict& v) {
  Json j = {{"direction", DirectionName(d)},
            {"at", at.DisplayName()},
            {"allowed", v.allowed},
            {"tier", TierName(v.tier)},
            {"mode", ModeName(v.mode)},
            {"reason", v.reason}};
  if (!v.policy.empty()) j["policy"] = v.policy_kind + " " + v.policy;
  if (!v.rule.empty()) j["rule"] = v.rule;
  return j;
}

// Both directions' verdict, tier, policy and rule, as `microseg check` gives
// them, for an aggregate between two single endpoints (rollups and `other`
// have no one endpoint to ask about). Pods are asked about by name: their
// first address.
std::optional<Json> DecisionJson(const PolicyEngine& engine, const AggregatedFlow& f) {
  if (!f.detailed()) return std::nullopt;
  Result<Endpoint> src = engine.Resolve(f.src->DisplayName());
  Result<Endpoint> dst = engine.Resolve(f.dst->DisplayName());
  if (!src.ok() || !dst.ok()) return std::nullopt;
  Verdict v = engine.Check(*src, *dst, f.protocol, f.port);
  return Json{{"verdict", v.Name()},
              {"egress", DirectionJson(Direction::kEgress, *src, v.egress)},
              {"ingress", DirectionJson(Direction::kIngress, *dst, v.ingress)}};
}

void HandleEdgeFlows(Store* store, FlowService* service, const httplib::Request& req,
                     httplib::Response& res) {
  Result<MapQuery> query = ParseMapQuery(req);
  if (!query.ok()) return ReplyError(res, 400, query.status().message());
  const std::string from = req.get_param_value("from");
  const std::string to = req.get_param_value("to");
  if (from.empty() || to.empty()) return ReplyError(res, 400, "from and to (node ids) are required");
  std::unique_lock<std::mutex> serialized = service->LockQueries();
  Result<FlowService::Aggregates> all = service->Aggregate(store);
  if (!all.ok()) return ReplyError(res, 503, all.status().message());
  Json items = Json::array();
  for (const AggregatedFlow& f : Filter(all->flows, *query)) {
    if (GroupOf(*f.src, query->group).id != from || GroupOf(*f.dst, query->group).id != to) {
      continue;
    }
    Json item = AggregatedFlowToJson(f);
    if (std::optional<Json> decision = DecisionJson(*all->model.engine, f)) {
      item["decision"] = std::move(*decision);
    }
    items.push_back(std::move(item));
  }
  ReplyJson(res, 200,
            {{"from", from},
             {"to", to},
             {"items", std::move(items)},
             {"resourceVersion", std::to_string(all->model.revision)}});
}

const UiAsset* FindAsset(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (const UiAsset& a : UiAssets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void ServeAsset(const httplib::Request& req, httplib::Response& res) {
  if (UiAssets().empty()) {
    return ReplyError(res, 404, "this controller was built without the web UI (MICROSEG_BUILD_UI=OFF)");
  }
  const UiAsset* asset = FindAsset(req.matches[1].str());
  if (asset == nullptr) return ReplyError(res, 404, "no such UI file");
  res.status = 200;
  // The bundle changes only with the binary; revalidating is cheap.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                 "frame-ancestors 'none'");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

}  // namespace

void AddUiRoutes(RouteTable* routes, Store* store, FlowService* flows) {
  routes->push_back(
      {"GET", "/ui", Access::kAnyone,
       [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/ui/"); }});
  // One file name: nothing that could climb to another route.
  routes->push_back({"GET", R"(/ui/([A-Za-z0-9_-][A-Za-z0-9._-]*)?)", Access::kAnyone, ServeAsset});
  routes->push_back({"GET", "/api/v1/map", Access::kAdmin,
                     [store, flows](const httplib::Request& req, httplib::Response& res) {
                       HandleMap(store, flows, req, res);
                     }});
  routes->push_back({"GET", "/api/v1/map/flows", Access::kAdmin,
                     [store, flows](const httplib::Request& req, httplib::Response& res) {
                       HandleEdgeFlows(store, flows, req, res);
                     }});
}

}  // namespace microseg
