#include "controller/store/sqlite_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "common/owner_only_file.h"
namespace microseg {

namespace {

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool prepared() const { return rc_ == SQLITE_OK; }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : "";
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

EventType ParseEventType(const std::string& s) {
  if (s == "ADDED") return EventType::kAdded;
  if (s == "DELETED") return EventType::kDeleted;
  return EventType::kModified;
}

constexpr int kWatchBatchLimit = 1000;

}  // namespace

class SqliteStore::Stream final : public WatchStream {
 public:
  Stream(SqliteStore* store, int64_t after) : store_(store), after_(after) {}

  Result<WatchBatch> Next(std::chrono::milliseconds max_wait) override {
    std::unique_lock<std::mutex> lock(store_->mu_);
    store_->changed_.wait_for(lock, max_wait, [&] { return store_->revision_ > after_; });
    Result<WatchBatch> batch = store_->ReadEventsLocked(after_, kWatchBatchLimit);
    if (!batch.ok() || batch->events.empty()) return batch;
    std::vector<WatchEvent>& events = batch->events;
    if (events.size() == static_cast<size_t>(kWatchBatchLimit)) {
      // The last revision may be cut short: leave it for the next call, or
      // when it alone fills the batch, read all of it.
      const int64_t last = events.back().object.resource_version;
      while (!events.empty() && events.back().object.resource_version == last) events.pop_back();
      if (events.empty()) batch = store_->ReadEventsLocked(last - 1, -1);
      if (!batch.ok()) return batch;
    }
    after_ = batch->events.back().object.resource_version;
    return batch;
  }

 private:
  SqliteStore* store_;
  int64_t after_;  // guarded by store_->mu_ while in Next
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  if (options.event_retention < 1) return Status::Error("event retention must be at least 1");
  if (Status s = MakeOwnerOnlyDatabase(path); !s.ok()) {
    return Status::Error("sqlite: cannot open " + s.message());
  }
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Error("sqlite: cannot open " + path + ": " + message);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, db, options));
  if (Status s = store->Init(); !s.ok()) return s;
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

Status SqliteStore::Error(const char* what) const {
  return Status::Error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Error(std::string("sqlite: ") + message);
  }
  return Status::Ok();
}

Status SqliteStore::Init() {
  sqlite3_busy_timeout(db_, 5000);
  if (Status s = Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  if (Status s = Exec("PRAGMA synchronous=FULL"); !s.ok()) return s;
  Status schema = Exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
      "INSERT OR IGNORE INTO meta VALUES('revision', 0), ('compacted', 0);"
      "CREATE TABLE IF NOT EXISTS objects("
      "  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
      "  resource_version INTEGER NOT NULL, json TEXT NOT NULL,"
      "  PRIMARY KEY(kind, namespace, name));"
      "CREATE TABLE IF NOT EXISTS events("
      "  revision INTEGER NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,"
      "  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL,"
      "  PRIMARY KEY(revision, seq));");
  if (!schema.ok()) return schema;
  Result<int64_t> revision = ReadMeta("revision");
  if (!revision.ok()) return revision.status();
  Result<int64_t> compacted = ReadMeta("compacted");
  if (!compacted.ok()) return compacted.status();
  std::lock_guard<std::mutex> lock(mu_);
  revision_ = *revision;
  compacted_ = *compacted;
  return Status::Ok();
}

Result<int64_t> SqliteStore::ReadMeta(const char* key) {
  Stmt stmt(db_, "SELECT value FROM meta WHERE key = ?");
  if (!stmt.prepared()) return Error("read meta");
  stmt.Bind(1, std::string(key));
  if (stmt.Step() != SQLITE_ROW) return Error("read meta");
  return stmt.Int(0);
}

Result<CommitResult> SqliteStore::Commit(const std::vector<Mutation>& mutations) {
  std::lock_guard<std::mutex> lock(mu_);
  CommitResult result;
  result.revision = revision_;
  if (mutations.empty()) return result;
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status status = CommitLocked(mutations, &result);
  if (!status.ok() || result.missing) {
    Status rollback = Exec("ROLLBACK");
    (void)rollback;  // the first error is the one worth reporting
    result.revision = revision_;
    if (!status.ok()) return status;
    return result;
  }
  if (Status s = Exec("COMMIT"); !s.ok()) return s;
  revision_ = result.revision;
  compacted_ = std::max(compacted_, revision_ - options_.event_retention);
  changed_.notify_all();
  return result;
}

Status SqliteStore::CommitLocked(const std::vector<Mutation>& mutations, CommitResult* result) {
  const int64_t revision = revision_ + 1;
  Stmt select(db_, "SELECT json FROM objects WHERE kind = ? AND namespace = ? AND name = ?");
  Stmt put(db_,
           "INSERT OR REPLACE INTO objects(kind, namespace, name, resource_version, json) "
           "VALUES(?, ?, ?, ?, ?)");
  Stmt remove(db_, "DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?");
  Stmt event(db_,
             "INSERT INTO events(revision, seq, type, kind, namespace, name, json) "
             "VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!select.prepared() || !put.prepared() || !remove.prepared() || !event.prepared()) {
    return Error("prepare commit");
  }
  auto bind_key = [](Stmt& stmt, const ObjectKey& key) {
    stmt.Reset();
    stmt.Bind(1, key.kind);
    stmt.Bind(2, key.namespace_name);
    stmt.Bind(3, key.name);
  };
  int64_t seq = 0;
  for (const Mutation& m : mutations) {
    bind_key(select, m.key);
    int rc = select.Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("read object");
    const bool exists = rc == SQLITE_ROW;

    EventType type;
    std::string event_json;
    if (m.type == Mutation::Type::kDelete) {
      if (!exists) {
        result->missing = m.key;
        return Status::Ok();
      }
      event_json = select.Text(0);
      bind_key(remove, m.key);
      if (remove.Step() != SQLITE_DONE) return Error("delete object");
      type = EventType::kDeleted;
    } else {
      bind_key(put, m.key);
      put.Bind(4, revision);
      put.Bind(5, m.json);
      if (put.Step() != SQLITE_DONE) return Error("write object");
      type = exists ? EventType::kModified : EventType::kAdded;
      event_json = m.json;
    }
    event.Reset();
    event.Bind(1, revision);
    event.Bind(2, seq++);
    event.Bind(3, std::string(EventTypeName(type)));
    event.Bind(4, m.key.kind);
    event.Bind(5, m.key.namespace_name);
    event.Bind(6, m.key.name);
    event.Bind(7, event_json);
    if (event.Step() != SQLITE_DONE) return Error("write event");
  }
  Stmt meta(db_, "UPDATE meta SET value = ? WHERE key = 'revision'");
  meta.Bind(1, revision);
  if (meta.Step() != SQLITE_DONE) return Error("write revision");
  const int64_t compacted = std::max(compacted_, revision - options_.event_retention);
  if (compacted > compacted_) {
    Stmt prune(db_, "DELETE FROM events WHERE revision <= ?");
    prune.Bind(1, compacted);
    if (prune.Step() != SQLITE_DONE) return Error("prune events");
    Stmt mark(db_, "UPDATE meta SET value = ? WHERE key = 'compacted'");
    mark.Bind(1, compacted);
    if (mark.Step() != SQLITE_DONE) return Error("write compacted revision");
  }
  result->revision = revision;
  return Status::Ok();
}

Result<std::optional<StoredObject>> SqliteStore::Get(const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt stmt(db_,
            "SELECT resource_version, json FROM objects "
            "WHERE kind = ? AND namespace = ? AND name = ?");
  if (!stmt.prepared()) return Error("get");
  stmt.Bind(1, key.kind);
  stmt.Bind(2, key.namespace_name);
  stmt.Bind(3, key.name);
  int rc = stmt.Step();
  if (rc == SQLITE_DONE) return std::optional<StoredObject>();
  if (rc != SQLITE_ROW) return Error("get");
  return std::optional<StoredObject>(StoredObject{key, stmt.Int(0), stmt.Text(1)});
}

Result<Snapshot> SqliteStore::List(const ListOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt stmt(db_,
            "SELECT kind, namespace, name, resource_version, json FROM objects "
            "WHERE (?1 = '' OR kind = ?1) AND (?2 = 0 OR namespace = ?3) "
            "ORDER BY kind, namespace, name");
  if (!stmt.prepared()) return Error("list");
  stmt.Bind(1, options.kind);
  stmt.Bind(2, int64_t{options.namespace_name.has_value()});
  stmt.Bind(3, options.namespace_name.value_or(""));
  Snapshot snapshot;
  snapshot.revision = revision_;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    snapshot.objects.push_back(
        StoredObject{{stmt.Text(0), stmt.Text(1), stmt.Text(2)}, stmt.Int(3), stmt.Text(4)});
  }
  if (rc != SQLITE_DONE) return Error("list");
  return snapshot;
}

Result<WatchBatch> SqliteStore::ReadEventsLocked(int64_t after, int limit) {
  WatchBatch batch;
  if (after < compacted_) {
    batch.compacted = compacted_;
    return batch;
  }
  Stmt stmt(db_,
            "SELECT revision, type, kind, namespace, name, json FROM events "
            "WHERE revision > ? ORDER BY revision, seq LIMIT ?");
  if (!stmt.prepared()) return Error("read events");
  stmt.Bind(1, after);
  stmt.Bind(2, int64_t{limit});
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    batch.events.push_back(WatchEvent{
        ParseEventType(stmt.Text(1)),
        StoredObject{{stmt.Text(2), stmt.Text(3), stmt.Text(4)}, stmt.Int(0), stmt.Text(5)}});
  }
  if (rc != SQLITE_DONE) return Error("read events");
  return batch;
}

Result<std::unique_ptr<WatchStream>> SqliteStore::Watch(int64_t after_revision) {
  return std::unique_ptr<WatchStream>(new Stream(this, after_revision));
}

}  // namespace microseg
