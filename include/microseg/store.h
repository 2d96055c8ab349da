// Store: where the controller keeps objects, and the seam its tests replace.
//
// A store holds one JSON document per object key and a global revision that
// grows by one with every successful Commit (SQLite) or by at least one
// (etcd, whose revision is shared with anything else in the cluster). An
// object's resourceVersion is the revision of the commit that last wrote it.
// Every change is also an event that Watch replays in revision order, from
// any revision the store still retains.
//
// Implementations: SqliteStore (one file, the default) and EtcdStore (etcd
// v3 through its JSON gateway). Both pass the same suite
// (src/controller/store/store_test.cc). All methods are thread-safe; a
// WatchStream is used by one thread at a time and must not outlive its store.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace microseg {

// Cluster-scoped kinds have an empty namespace_name.
struct ObjectKey {
  std::string kind;            // "NetworkPolicy"
  std::string namespace_name;  // "shop", or "" when cluster-scoped
  std::string name;

  auto operator<=>(const ObjectKey&) const = default;
  bool operator==(const ObjectKey&) const = default;

  // "NetworkPolicy shop/web", "Namespace shop": how messages name an object.
  std::string ToString() const {
    return kind + " " + (namespace_name.empty() ? name : namespace_name + "/" + name);
  }
};

struct StoredObject {
  ObjectKey key;
  int64_t resource_version = 0;
  std::string json;  // the canonical document, without metadata.resourceVersion
};

struct Mutation {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  ObjectKey key;
  std::string json;  // kPut only
};

struct CommitResult {
  // The revision the commit created; when nothing was written (no
  // mutations, or `missing` is set) the current revision.
  int64_t revision = 0;
  // Set when a kDelete named an object that does not exist; then nothing
  // was written.
  std::optional<ObjectKey> missing;
};

struct ListOptions {
  std::string kind;                           // "" for every kind
  std::optional<std::string> namespace_name;  // unset for every namespace
};

// Objects sorted by key, as of `revision`.
struct Snapshot {
  int64_t revision = 0;
  std::vector<StoredObject> objects;
};

enum class EventType { kAdded, kModified, kDeleted };

// For kDeleted, `object` is the last state before the delete, with the
// delete's revision as its resource_version.
struct WatchEvent {
  EventType type = EventType::kAdded;
  StoredObject object;
};

struct WatchBatch {
  std::vector<WatchEvent> events;  // in revision order; empty on timeout
  // Set when events after the requested revision are no longer retained;
  // the value is the oldest revision a new watch may start after. The
  // stream delivers nothing more.
  std::optional<int64_t> compacted;
};

class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Waits up to `max_wait` for events newer than those already returned.
  // An error means the stream is broken (e.g. the store is unreachable).
  virtual Result<WatchBatch> Next(std::chrono::milliseconds max_wait) = 0;
};

// The start of the message of a Commit error whose outcome is unknown.
inline constexpr std::string_view kCommitOutcomeUnknown = "commit outcome unknown: ";

inline bool IsCommitOutcomeUnknown(const Status& status) {
  return !status.ok() && status.message().starts_with(kCommitOutcomeUnknown);
}

class Store {
 public:
  virtual ~Store() = default;

  // Applies every mutation or none, as one revision. A key may appear at
  // most once. An error means nothing was written, except one for which
  // IsCommitOutcomeUnknown holds: the commit was sent and the store could
  // not say whether it applied (it may still apply).
  virtual Result<CommitResult> Commit(const std::vector<Mutation>& mutations) = 0;

  virtual Result<std::optional<StoredObject>> Get(const ObjectKey& key) = 0;
  virtual Result<Snapshot> List(const ListOptions& options) = 0;

  // Events with a revision greater than `after_revision`, then new ones as
  // they are committed.
  virtual Result<std::unique_ptr<WatchStream>> Watch(int64_t after_revision) = 0;

  // "sqlite:/data/state.db", "etcd://10.0.0.1:2379,...": for logs.
  virtual std::string Describe() const = 0;
};

}  // namespace microseg
