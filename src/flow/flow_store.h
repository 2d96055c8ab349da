// FlowStore: the flow records agents ship to the controller, kept in
// memory with retention.
//
// Records are kept as shipped (per address, not per endpoint) so that each
// query enriches them against the policy model of the moment: a pod that
// was created after its traffic was seen is still named. Retention:
//   - at most `max_records` records; the oldest received go first;
//   - records whose `last` is older than `max_age_seconds` are dropped.
// Memory is about 130 bytes per record (500,000 records: ~65 MB). Not
// persisted: a restarted controller starts empty, and agents fill it again
// with their next batches.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "flow/flow_record.h"

namespace microseg {

struct FlowStoreOptions {
  size_t max_records = 500'000;
  int64_t max_age_seconds = 24 * 3600;
};

struct FlowStoreStats {
  size_t records = 0;
  uint64_t received = 0;  // since start
  uint64_t evicted = 0;   // dropped for room or age
};

class FlowStore {
 public:
  explicit FlowStore(FlowStoreOptions options = {});

  // Keeps `records`, evicting the oldest when full.
  void Add(std::vector<FlowRecord> records, int64_t now);
  // Every record within the age limit, oldest received first.
  std::vector<FlowRecord> Records(int64_t now);
  FlowStoreStats stats() const;

 private:
  void Expire(int64_t now);  // caller holds mu_

  const FlowStoreOptions options_;
  mutable std::mutex mu_;
  std::deque<FlowRecord> records_;  // guarded by mu_
  FlowStoreStats stats_;            // guarded by mu_
};

}  // namespace microseg
