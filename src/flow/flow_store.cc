#include "flow/flow_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/owner_only_file.h"
namespace microseg {

namespace {

constexpr char kSchema[] = R"(
CREATE TABLE IF NOT EXISTS flows (
  id INTEGER PRIMARY KEY,
  src TEXT NOT NULL,
  dst TEXT NOT NULL,
  protocol INTEGER NOT NULL,
  port INTEGER NOT NULL,
  verdict INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  node TEXT NOT NULL
))";

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : rc_(sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr)) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string ColumnText(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, col)) : "";
}

}  // namespace

FlowStore::FlowStore(FlowStoreOptions options) : options_(std::move(options)) {}

FlowStore::~FlowStore() {
  if (db_) sqlite3_close(db_);
}

Status FlowStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::Error("flows " + options_.path + ": " + message);
  }
  return Status::Ok();
}

Status FlowStore::Open(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.path.empty()) return Status::Ok();
  if (db_) return Status::Error("flows " + options_.path + ": already open");
  if (Status s = MakeOwnerOnlyDatabase(options_.path); !s.ok()) {
    return Status::Error("flows " + s.message());
  }
  int rc = sqlite3_open_v2(options_.path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    return Status::Error("flows " + options_.path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kSchema}) {
    if (Status s = Exec(sql); !s.ok()) return s;
  }
  // The newest max_records within the age limit, oldest first.
  const int64_t cutoff = now - options_.max_age_seconds;
  const size_t max = std::max<size_t>(options_.max_records, 1);
  Stmt select(db_,
              "SELECT id, src, dst, protocol, port, verdict, flows, packets, bytes, first, last, "
              "node FROM flows WHERE last >= ?1 ORDER BY id DESC LIMIT ?2");
  if (!select.ok()) return Status::Error("flows " + options_.path + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_int64(select.get(), 1, cutoff);
  sqlite3_bind_int64(select.get(), 2, static_cast<int64_t>(max));
  std::vector<Entry> loaded;
  int64_t max_id = 0;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = select.get();
    Entry e;
    e.id = sqlite3_column_int64(s, 0);
    auto src = IpAddress::Parse(ColumnText(s, 1));
    auto dst = IpAddress::Parse(ColumnText(s, 2));
    const int64_t protocol = sqlite3_column_int64(s, 3);
    const int64_t verdict = sqlite3_column_int64(s, 5);
    max_id = std::max(max_id, e.id);
    if (!src || !dst || protocol < 0 || protocol > static_cast<int64_t>(Protocol::kSCTP) ||
        verdict < 0 || verdict >= kFlowVerdictCount) {
      continue;  // not ours to interpret: skipped, deleted below
    }
    e.record.src = *src;
    e.record.dst = *dst;
    e.record.protocol = static_cast<Protocol>(protocol);
    e.record.port = static_cast<uint16_t>(sqlite3_column_int64(s, 4));
    e.record.verdict = static_cast<FlowVerdict>(verdict);
    e.record.flows = static_cast<uint64_t>(sqlite3_column_int64(s, 6));
    e.record.packets = static_cast<uint64_t>(sqlite3_column_int64(s, 7));
    e.record.bytes = static_cast<uint64_t>(sqlite3_column_int64(s, 8));
    e.record.first = sqlite3_column_int64(s, 9);
    e.record.last = sqlite3_column_int64(s, 10);
    e.record.node = ColumnText(s, 11);
    loaded.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return Status::Error("flows " + options_.path + ": " + sqlite3_errmsg(db_));
  std::reverse(loaded.begin(), loaded.end());
  // Whatever was not loaded is past retention.
  Stmt purge(db_, "DELETE FROM flows WHERE id < ?1 OR last < ?2");
  if (!purge.ok()) return Status::Error("flows " + options_.path + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_int64(purge.get(), 1, loaded.empty() ? max_id + 1 : loaded.front().id);
  sqlite3_bind_int64(purge.get(), 2, cutoff);
  if (sqlite3_step(purge.get()) != SQLITE_DONE) {
    return Status::Error("flows " + options_.path + ": " + sqlite3_errmsg(db_));
  }
  // Records Add()ed before Open() (none in the controller) go after these.
  next_id_ = std::max(next_id_, max_id + 1);
  stats_.loaded = loaded.size();
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) records_.push_front(std::move(*it));
  return Status::Ok();
}

Status FlowStore::Add(std::vector<FlowRecord> records, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.received += records.size();
  const size_t max = std::max<size_t>(options_.max_records, 1);
  // A batch larger than the store keeps only its newest part.
  size_t skip = records.size() > max ? records.size() - max : 0;
  stats_.evicted += skip;
  const int64_t first_new = next_id_;
  for (size_t i = skip; i < records.size(); ++i) {
    records_.push_back(Entry{next_id_++, std::move(records[i])});
  }
  while (records_.size() > max) {
    records_.pop_front();
    ++stats_.evicted;
  }
  Expire(now);
  return db_ ? Persist(first_new) : Status::Ok();
}

Status FlowStore::Persist(int64_t first_new) {
  auto fail = [this](const char* what) {
    std::string message = sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Status::Error("flows " + options_.path + ": " + what + ": " + message +
                         " (kept in memory only)");
  };
  if (Status s = Exec("BEGIN"); !s.ok()) return s;
  {
    Stmt insert(db_,
                "INSERT INTO flows (id, src, dst, protocol, port, verdict, flows, packets, bytes, "
                "first, last, node) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!insert.ok()) return fail("insert");
    sqlite3_stmt* s = insert.get();
    // The new records still kept (a batch may have pushed out its own).
    auto it = std::lower_bound(records_.begin(), records_.end(), first_new,
                               [](const Entry& e, int64_t id) { return e.id < id; });
    for (; it != records_.end(); ++it) {
      const Entry& e = *it;
      const FlowRecord& r = e.record;
      const std::string src = r.src.ToString(), dst = r.dst.ToString();
      sqlite3_bind_int64(s, 1, e.id);
      sqlite3_bind_text(s, 2, src.data(), static_cast<int>(src.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 3, dst.data(), static_cast<int>(dst.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 4, static_cast<int64_t>(r.protocol));
      sqlite3_bind_int64(s, 5, r.port);
      sqlite3_bind_int64(s, 6, static_cast<int64_t>(r.verdict));
      sqlite3_bind_int64(s, 7, static_cast<int64_t>(r.flows));
      sqlite3_bind_int64(s, 8, static_cast<int64_t>(r.packets));
      sqlite3_bind_int64(s, 9, static_cast<int64_t>(r.bytes));
      sqlite3_bind_int64(s, 10, r.first);
      sqlite3_bind_int64(s, 11, r.last);
      sqlite3_bind_text(s, 12, r.node.data(), static_cast<int>(r.node.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(s) != SQLITE_DONE) return fail("insert");
      sqlite3_reset(s);
    }
  }
  // What retention dropped from memory: everything received before the
  // oldest record kept (records are dropped oldest received first; one
  // dropped for age out of order stays until it reaches the front, and is
  // filtered when read or loaded).
  {
    Stmt purge(db_, "DELETE FROM flows WHERE id < ?1");
    if (!purge.ok()) return fail("delete");
    sqlite3_bind_int64(purge.get(), 1, records_.empty() ? next_id_ : records_.front().id);
    if (sqlite3_step(purge.get()) != SQLITE_DONE) return fail("delete");
  }
  if (Status s = Exec("COMMIT"); !s.ok()) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  return Status::Ok();
}

std::vector<FlowRecord> FlowStore::Records(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Expire(now);
  const int64_t cutoff = now - options_.max_age_seconds;
  std::vector<FlowRecord> out;
  out.reserve(records_.size());
  // Agents ship in time order, but one with a late batch may put an old
  // record behind newer ones: Expire() only trims the front, so filter too.
  for (const Entry& e : records_) {
    if (e.record.last >= cutoff) out.push_back(e.record);
  }
  return out;
}

FlowStoreStats FlowStore::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  FlowStoreStats s = stats_;
  s.records = records_.size();
  return s;
}

void FlowStore::Expire(int64_t now) {
  const int64_t cutoff = now - options_.max_age_seconds;
  while (!records_.empty() && records_.front().record.last < cutoff) {
    records_.pop_front();
    ++stats_.evicted;
  }
}

}  // namespace microseg
