// The flow routes (docs/VISIBILITY.md, "Flows in the controller"):
//   POST /api/v1/flows   an agent's flow records, as JSON lines or a JSON
//                        array of the flow file's objects; all or nothing
//   GET  /api/v1/flows   ?from=SEL&to=SEL&verdict=V&since=15m|RFC3339&limit=N
//                        the aggregates of the kept records, enriched with
//                        the stored objects: {"items":[...],"totals":{...},
//                        "records":N,"folded":N}
// Records live in a FlowStore (bounded count and age), persisted in the
// data directory's flows.db when the controller opens it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "controller/http/route_table.h"
#include "flow/flow_aggregator.h"
#include "flow/flow_store.h"
#include "microseg/store.h"

namespace microseg {

class PolicyEngine;
class EndpointDirectory;

// The records and the model they are enriched with, cached per store
// revision (decoding every object and building the engine is the costly
// part of a query).
class FlowService {
 public:
  explicit FlowService(FlowStoreOptions options = {});
  ~FlowService();

  // Opens the store's file (FlowStoreOptions::path) and loads it.
  Status Open();
  FlowStore& records() { return records_; }

  struct Model {
    int64_t revision = -1;
    std::shared_ptr<const PolicyEngine> engine;
    std::shared_ptr<const EndpointDirectory> directory;
  };
  // The model of `store`'s current objects. Thread-safe.
  Result<Model> ModelOf(Store* store);
  // Held while a query enriches: PolicyEngine queries fill caches, so one
  // engine serves one query at a time.
  std::unique_lock<std::mutex> LockQueries() { return std::unique_lock<std::mutex>(query_mu_); }

  // Every kept record, enriched against ModelOf(store) and aggregated: what
  // GET /api/v1/flows and the map routes read. Call with LockQueries() held.
  struct Aggregates {
    Model model;
    std::vector<AggregatedFlow> flows;
    FlowTotals totals;
    uint64_t folded = 0;
    size_t records = 0;
  };
  Result<Aggregates> Aggregate(Store* store);

 private:
  FlowStore records_;
  std::mutex query_mu_;
  std::mutex mu_;
  Model model_;  // guarded by mu_
};

// `store` and `flows` must outlive the server.
void AddFlowRoutes(RouteTable* routes, Store* store, FlowService* flows);

}  // namespace microseg
