// SpanComputer: the objects one enforcement point needs (its span), and the
// stream of changes to it, by the same PolicyEngine code the agent compiles
// with.
//
// Live mode (the controller): on first use the computer lists the store
// once, decodes it into ONE PolicyEngine and from then on follows the
// store's watch (its own writes and, with etcd, other replicas'), applying
// each change with Upsert/Delete. A node asking for its span is registered:
// its span's keys are computed once with SpanFor, and every later change is
// sorted into the node's delta log without another SpanFor when it can:
//
//   - a Pod, Workload or Node already in the span: shipped (changed or
//     deleted);
//   - one of a node-local endpoint whose identity (kind, namespace, labels)
//     is already local to the node: shipped;
//   - one elsewhere whose identity is a peer of the node's rules (an
//     identity already in the span: identity-level matching, so every
//     member of it matches), or an identity the node has never been
//     evaluated against (a new label set: shipped as an over-approximation,
//     and its identity counts as a peer from then on): shipped, with its
//     Namespace when the span lacks it;
//   - a Pod or Workload that satisfies a named port of the node's egress
//     rules with an any/block peer (declares the port, owns an address
//     inside the peer: PolicyEngine::MeetsNamedPortDemand, the predicate
//     SpanFor uses): shipped, with its Namespace when the span lacks it;
//   - anything else of those kinds is outside the span;
//   - any other kind (policies, namespaces, services, IPLists, rulesets,
//     modes) and a local endpoint of a new identity re-run SpanFor for each
//     registered node, and the difference is shipped.
// Shipping a few extra objects is allowed (the agent's engine ignores
// endpoints no rule names); missing one is not.
//
// Each node's log holds its deltas in revision order; a stream resumes from
// any revision at or after the oldest one retained (kMaxLog entries) and
// after the node registered with this controller process. Older (or on a
// restarted controller, which has no log): the store's own history after
// that revision decides. When every change since is a Pod, Workload or
// Node not local to the node, the stream resumes with those objects
// (upserted when in the span now, deleted otherwise); a policy change or a
// new local endpoint since, or history the store no longer has, means the
// history is gone (410) and the agent fetches its span again.
//
// Span(all, node) is the stateless form (a snapshot in, the span out), kept
// for tests and tools.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "microseg/store.h"
#include "policy/policy_engine.h"

namespace microseg {

class SpanComputer {
 public:
  SpanComputer();
  ~SpanComputer();  // stops following the store

  // `all` must hold every object of every kind at `all.revision`. The
  // result carries the same revision. Thread-safe; builds an engine per
  // call (or reuses the last for the same revision).
  Result<Snapshot> Span(const Snapshot& all, const std::string& node) EXCLUDES(snapshot_mu_);

  // The span of `node` at the live revision (starting to follow `store` on
  // first use); registers the node for its delta stream. Thread-safe.
  Result<Snapshot> LiveSpan(Store* store, const std::string& node) EXCLUDES(mu_);

  struct Delta {
    int64_t revision = 0;
    bool deleted = false;
    StoredObject object;  // for a delete, only the key is meaningful
  };
  struct Batch {
    std::vector<Delta> deltas;  // revision > `after`, in order
    int64_t revision = 0;       // every delta of the node up to here is in `deltas`
    bool gone = false;          // the history after `after` is not available: 410
    std::string gone_reason;
  };
  // The node's deltas after `after`, waiting up to `max_wait` for one.
  Result<Batch> Next(Store* store, const std::string& node, int64_t after,
                     std::chrono::milliseconds max_wait) EXCLUDES(mu_);

  struct Stats {
    int64_t revision = 0;
    uint64_t events = 0;      // store events applied to the live engine
    uint64_t recomputes = 0;  // SpanFor runs for registered nodes
    size_t nodes = 0;         // registered nodes
  };
  Stats stats() EXCLUDES(mu_);

  static constexpr size_t kMaxLog = 200000;  // deltas kept per node

 private:
  struct Facts {  // of a Pod, Workload or Node
    std::string identity;  // "" when it joins no identity (no IP, hostNetwork)
    std::string local;     // its enforcement point
    std::string namespace_name;
  };
  struct NodeTrack {
    std::set<ObjectKey> keys;
    std::unordered_set<std::string> peer_ids, local_ids, known_ids;
    // Named ports of the node's egress rules with an any/block peer: their
    // holders are in the span though no selector names them.
    std::vector<PolicyEngine::NamedPortDemand> demands;
    std::deque<Delta> log;
    int64_t floor = 0;  // deltas after this revision are all in `log`
  };
  struct Change {
    ObjectKey key;
    bool deleted = false;
    int64_t revision = 0;
    std::optional<Facts> facts;  // after the change, for endpoint kinds
  };

  Status EnsureStartedLocked(Store* store) REQUIRES(mu_);
  Status ReloadLocked() REQUIRES(mu_);
  void Pump() EXCLUDES(mu_);
  void ApplyLocked(const std::vector<WatchEvent>& events) REQUIRES(mu_);
  void RecomputeLocked(const std::string& node, NodeTrack* track,
                       const std::set<ObjectKey>& changed, int64_t revision, bool log)
      REQUIRES(mu_);
  void LogUpsertLocked(NodeTrack* track, const ObjectKey& key, int64_t revision) REQUIRES(mu_);
  void LogDeleteLocked(NodeTrack* track, const ObjectKey& key, int64_t revision) REQUIRES(mu_);
  void SetFactsLocked(const ObjectKey& key, std::optional<Facts> facts) REQUIRES(mu_);
  // Whether the Pod or Workload `key` satisfies one of `demands`.
  bool MeetsDemand(const ObjectKey& key,
                   const std::vector<PolicyEngine::NamedPortDemand>& demands) const REQUIRES(mu_);
  // Deltas that bring an agent at `after` to revision_ from the store's
  // history; false (with the reason) when it cannot.
  bool RejoinLocked(const std::string& node, int64_t after, std::vector<Delta>* out,
                    std::string* why) REQUIRES(mu_);

  // Stateless mode.
  Mutex snapshot_mu_;
  int64_t snapshot_revision_ GUARDED_BY(snapshot_mu_) = -1;
  std::unique_ptr<PolicyEngine> snapshot_engine_ GUARDED_BY(snapshot_mu_);

  // Live mode.
  Mutex mu_;
  std::condition_variable cv_;
  // Set once, before the pump starts; the pump calls it unlocked.
  Store* store_ GUARDED_BY(mu_) = nullptr;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::unique_ptr<PolicyEngine> engine_ GUARDED_BY(mu_);
  std::map<ObjectKey, StoredObject> objects_ GUARDED_BY(mu_);
  std::map<ObjectKey, Facts> facts_ GUARDED_BY(mu_);
  std::unordered_map<std::string, int> identity_counts_ GUARDED_BY(mu_);
  std::map<std::string, NodeTrack> nodes_ GUARDED_BY(mu_);
  int64_t revision_ GUARDED_BY(mu_) = 0;
  bool reload_ GUARDED_BY(mu_) = false;  // the pump must list again (compaction)
  Stats stats_ GUARDED_BY(mu_);
  std::thread pump_;  // started under mu_, joined by the destructor
};

}  // namespace microseg
