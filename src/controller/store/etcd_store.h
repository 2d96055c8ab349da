// EtcdStore: the Store in an etcd v3 cluster, through its JSON gateway.
//
// Each object is one key, "/microseg/objects/KIND/NAMESPACE/NAME", whose
// value is the object's canonical JSON. etcd's revision is the store
// revision and a key's mod_revision its resourceVersion; a Commit is one
// etcd transaction (deletes compare that their key exists), so it is
// all-or-nothing. Watches are etcd watches with prev_kv, so deletes carry
// the last state; etcd's compaction decides how far back they reach.
//
// Limits of etcd apply: a Commit has at most --max-txn-ops operations
// (etcd default 128) and --max-request-bytes bytes (default 1.5 MiB).
//
// Thread-safe. Several controllers may share one cluster and prefix: they
// serve the same state.
#pragma once

#include <memory>
#include <string>

#include "controller/store/etcd_gateway.h"
#include "microseg/store.h"

namespace microseg {

class EtcdStore final : public Store {
 public:
  // `spec` as in ParseEtcdEndpoints. Fails when no member answers.
  static Result<std::unique_ptr<EtcdStore>> Open(const std::string& spec,
                                                 const std::string& prefix = "/microseg/");

  Result<CommitResult> Commit(const std::vector<Mutation>& mutations) override;
  Result<std::optional<StoredObject>> Get(const ObjectKey& key) override;
  Result<Snapshot> List(const ListOptions& options) override;
  Result<std::unique_ptr<WatchStream>> Watch(int64_t after_revision) override;
  std::string Describe() const override;

 private:
  class Stream;

  EtcdStore(std::vector<EtcdEndpoint> endpoints, std::string prefix)
      : gateway_(std::move(endpoints)), prefix_(std::move(prefix) + "objects/") {}

  std::string KeyOf(const ObjectKey& key) const;
  // Inverse of KeyOf; false for keys that are not ours.
  bool ParseKey(const std::string& raw, ObjectKey* key) const;
  Result<int64_t> CurrentRevision();

  EtcdGateway gateway_;
  const std::string prefix_;  // ".../objects/"
};

}  // namespace microseg
