// FlowBatch: the agent's buffer between the collectors and whoever ships.
//
// Collectors deliver a record per connection or logged packet; the batch
// sums them per (source IP, destination IP, protocol, port, verdict) in a
// FlowAggregator without a model (every address is its own endpoint), so
// memory is bounded by `max_entries` however busy the node is. Drain()
// hands the sums back as records (FlowRecord::flows counts what each
// stands for) and starts over. Shipping is not this layer's business: the
// agent's FlowReporter posts drained records to the controller (flow/ never
// depends on controller/).
// Aggregates the aggregator had to fold (more distinct tuples than
// `max_entries` between two drains) lost their addresses: Drain() counts
// them in dropped() instead of shipping them.
//
// Thread-safe: collectors Add from their threads, the agent drains from its.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "flow/flow_aggregator.h"
#include "flow/flow_enricher.h"
#include "flow/flow_record.h"

namespace microseg {

class FlowBatch {
 public:
  // `node` is stamped on drained records.
  explicit FlowBatch(std::string node, size_t max_entries = 100000);

  void Add(FlowRecord record);
  // The records since the last drain, sorted; empty when none came.
  std::vector<FlowRecord> Drain();
  uint64_t dropped() const;  // records folded away, since construction

 private:
  const std::string node_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  FlowEnricher enricher_;  // no engine: IPs only; guarded by mu_
  std::unique_ptr<FlowAggregator> aggregator_;  // guarded by mu_
  uint64_t dropped_ = 0;                        // guarded by mu_
};

// JSON lines, the format of POST /api/v1/flows (and of flow files).
std::string FlowRecordsToJsonLines(const std::vector<FlowRecord>& records);

}  // namespace microseg
