// SqliteStore: the Store in one SQLite file (the controller's default).
//
// Durability: WAL journal with synchronous=FULL, so Commit returns only
// once the transaction is on disk; a kill -9 at any point loses nothing
// that was acknowledged. One process may open a file at a time (the
// controller takes a lock on its data directory; see http/controller.h).
//
// Schema (see docs/CONTROLLER.md):
//   meta(key, value)             "revision", "compacted"
//   objects(kind, namespace, name, resource_version, json)
//   events(revision, seq, type, kind, namespace, name, json)
// The events log keeps the last `event_retention` revisions; a watch from
// an older revision gets WatchBatch::compacted.
//
// Thread-safe: one connection behind a mutex; watchers wait on a condition
// variable signalled by Commit.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "microseg/store.h"

struct sqlite3;

namespace microseg {

struct SqliteStoreOptions {
  // Revisions of events kept for watches; at least 1. Default 100,000.
  int64_t event_retention = 100000;
};

class SqliteStore final : public Store {
 public:
  // Creates the file and schema when absent.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;

  Result<CommitResult> Commit(const std::vector<Mutation>& mutations) override;
  Result<std::optional<StoredObject>> Get(const ObjectKey& key) override;
  Result<Snapshot> List(const ListOptions& options) override;
  Result<std::unique_ptr<WatchStream>> Watch(int64_t after_revision) override;
  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  class Stream;

  SqliteStore(std::string path, sqlite3* db, const SqliteStoreOptions& options)
      : path_(std::move(path)), db_(db), options_(options) {}

  Status Init();
  Status Exec(const char* sql);
  Status Error(const char* what) const;  // "sqlite: WHAT: <sqlite message>"
  Result<int64_t> ReadMeta(const char* key);
  Status CommitLocked(const std::vector<Mutation>& mutations, CommitResult* result);
  // Events after `after`, at most `limit`, or compacted.
  Result<WatchBatch> ReadEventsLocked(int64_t after, int limit);

  const std::string path_;
  sqlite3* const db_;
  const SqliteStoreOptions options_;
  std::mutex mu_;
  std::condition_variable changed_;
  int64_t revision_ = 0;   // guarded by mu_
  int64_t compacted_ = 0;  // guarded by mu_: events <= this are gone
};

}  // namespace microseg
