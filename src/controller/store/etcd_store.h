// EtcdStore: the Store in an etcd v3 cluster, through its JSON gateway.
//
// Each object is one key, "/microseg/objects/KIND/NAMESPACE/NAME", whose
// value is the object's canonical JSON. etcd's revision is the store
// revision and a key's mod_revision its resourceVersion; a Commit is one
// etcd transaction (deletes compare that their key exists), so it is
// all-or-nothing. Watches are etcd watches with prev_kv, so deletes carry
// the last state; etcd's compaction decides how far back they reach.
//
// A Commit's outcome is decided, not guessed: its txn compares every key's
// mod_revision with what was read just before, so it can apply only on the
// state it was built on. When a txn was sent but no definite answer came
// back (a member died, "request timed out", a reply lost), Commit reads the
// keys again: if they changed to what it wrote, the txn applied; if they are
// unchanged, it sends the same txn again, which applies at most once between
// the two (the first, if it applies later, fails its compare). Only when no
// member answers for `retry_for` does Commit fail with kCommitOutcomeUnknown.
//
// Limits of etcd apply: a Commit has at most --max-txn-ops operations
// (etcd default 128) and --max-request-bytes bytes (default 1.5 MiB).
//
// Thread-safe. Several controllers may share one cluster and prefix: they
// serve the same state.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "controller/store/etcd_gateway.h"
#include "microseg/store.h"

namespace microseg {

struct EtcdStoreOptions {
  EtcdTimeouts timeouts;
  // How long Open waits for the cluster to answer (members starting, a
  // leader being elected), multiplied by the load per core when that is
  // above 1 (a loaded machine elects slowly).
  std::chrono::milliseconds open_wait{60000};
};

class EtcdStore final : public Store {
 public:
  // `spec` as in ParseEtcdEndpoints. Retries (logging to stderr once) until
  // a member answers; fails after `open_wait`.
  static Result<std::unique_ptr<EtcdStore>> Open(const std::string& spec,
                                                 const std::string& prefix = "/microseg/",
                                                 const EtcdStoreOptions& options = {});

  Result<CommitResult> Commit(const std::vector<Mutation>& mutations) override;
  Result<std::optional<StoredObject>> Get(const ObjectKey& key) override;
  Result<Snapshot> List(const ListOptions& options) override;
  Result<std::unique_ptr<WatchStream>> Watch(int64_t after_revision) override;
  std::string Describe() const override;

  // For tests that choose the member calls start at.
  EtcdGateway& gateway_for_test() { return gateway_; }

 private:
  class Stream;

  // A key as read before a commit: mod_revision 0 when absent.
  struct KeyState {
    int64_t mod_revision = 0;
    std::string value;
  };
  struct KeysRead {
    int64_t revision = 0;
    std::vector<KeyState> keys;  // one per mutation, in order
  };

  EtcdStore(std::vector<EtcdEndpoint> endpoints, std::string prefix, EtcdTimeouts timeouts)
      : gateway_(std::move(endpoints), timeouts), prefix_(std::move(prefix) + "objects/") {}

  std::string KeyOf(const ObjectKey& key) const;
  // Inverse of KeyOf; false for keys that are not ours.
  bool ParseKey(const std::string& raw, ObjectKey* key) const;
  Result<int64_t> CurrentRevision();
  // The mutations' keys, read in one snapshot.
  Result<KeysRead> ReadKeys(const std::vector<Mutation>& mutations);
  // The txn that applies `mutations` if no key changed since `before`.
  nlohmann::json Txn(const std::vector<Mutation>& mutations, const KeysRead& before) const;

  EtcdGateway gateway_;
  const std::string prefix_;  // ".../objects/"
};

}  // namespace microseg
