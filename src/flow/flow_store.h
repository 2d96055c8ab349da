// FlowStore: the flow records agents ship to the controller, with
// retention, persisted in a SQLite file of the controller's data directory.
//
// Records are kept as shipped (per address, not per endpoint; each is
// already an agent's aggregate of one interval) so that each query enriches
// them against the policy model of the moment: a pod that was created after
// its traffic was seen is still named. Retention:
//   - at most `max_records` records; the oldest received go first;
//   - records whose `last` is older than `max_age_seconds` are dropped.
// Memory is about 130 bytes per record (500,000 records: ~65 MB); queries
// read the in-memory copy.
//
// Persistence (`path` set, Open() called): every accepted batch is written
// in one transaction to the table `flows` of `path` (WAL, synchronous
// NORMAL: a crash may lose the last batches, never corrupt the file), and
// the records retention drops are deleted in the same transaction. Open()
// loads what is within retention, so a restarted controller answers with
// the flows it had. Flows are observations, not cluster state: the file is
// local to one controller whichever Store holds the objects (SQLite or
// etcd). On disk about 100 bytes per record.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "flow/flow_record.h"

struct sqlite3;

namespace microseg {

struct FlowStoreOptions {
  size_t max_records = 500'000;
  int64_t max_age_seconds = 24 * 3600;
  std::string path;  // SQLite file; empty: memory only
};

struct FlowStoreStats {
  size_t records = 0;
  uint64_t received = 0;  // since start
  uint64_t evicted = 0;   // dropped for room or age
  uint64_t loaded = 0;    // read back by Open()
};

class FlowStore {
 public:
  explicit FlowStore(FlowStoreOptions options = {});
  ~FlowStore();
  FlowStore(const FlowStore&) = delete;
  FlowStore& operator=(const FlowStore&) = delete;

  // With a path: opens (creates) the file and loads the records within
  // retention at `now`, deleting the rest. No-op without a path.
  Status Open(int64_t now);
  // Keeps `records`, evicting the oldest when full. The records are kept in
  // memory even when writing them to the file fails (the error says so).
  Status Add(std::vector<FlowRecord> records, int64_t now);
  // Every record within the age limit, oldest received first.
  std::vector<FlowRecord> Records(int64_t now);
  FlowStoreStats stats() const;

 private:
  struct Entry {
    int64_t id;  // rowid in the file; increasing in order received
    FlowRecord record;
  };
  void Expire(int64_t now);  // caller holds mu_
  Status Persist(int64_t first_new);  // records from id first_new on; caller holds mu_
  Status Exec(const char* sql);

  const FlowStoreOptions options_;
  mutable std::mutex mu_;
  std::deque<Entry> records_;  // guarded by mu_
  FlowStoreStats stats_;       // guarded by mu_
  int64_t next_id_ = 1;        // guarded by mu_
  sqlite3* db_ = nullptr;      // guarded by mu_
};

}  // namespace microseg
