// Agent: the per-host enforcement loop.
//
//   source (manifests) -> PolicyEngine -> Compile(node) -> NftDataplane::Apply
//
// It syncs at start, whenever the source reports a change, and every
// `resync_interval` (re-reading the kernel to repair drift). When the
// source cannot be read, nothing is applied: the kernel keeps enforcing the
// last policy, and the agent retries every poll.
//
// With a conntrack flusher (set_conntrack), every sync after the first also
// deletes the conntrack entries of addresses that appeared, disappeared or
// changed owner since the last sync (agent/address_owners.h), after the
// apply: such a flow's next packet is a new flow for the new policy. A
// failed flush fails the sync (the policy is applied; the flush is retried
// by the next sync). The first sync flushes nothing: the agent does not
// know what the kernel's entries were made under, and a restart should not
// cut every flow.
//
// Thread safety: Run() on one thread; Stop()/Snapshot() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/address_owners.h"
#include "common/status.h"
#include "dataplane/nft/conntrack.h"
#include "dataplane/nft/dataplane.h"
#include "dataplane/nft/executor.h"
#include "model/object_set.h"
#include "plan/plan.h"

namespace microseg {

struct AgentOptions {
  std::string node;  // required: the enforcement point's name
  PlanOptions plan;
  std::chrono::milliseconds poll_interval{300};  // how often the source is checked
  std::chrono::milliseconds resync_interval{60000};
};


// Where policy comes from. `changed` is cheap (an mtime poll); `load` reads.
struct PolicySource {
  std::function<bool()> changed;
  std::function<Result<ObjectSet>()> load;
};

// Manifests on disk: changed when any file's path, size or mtime changes.
// (Not "ManifestSource": that is the controller API's {source, text}.)
PolicySource ManifestFileSource(std::vector<std::string> paths);

class Agent {
 public:
  Agent(AgentOptions options, PolicySource source, nft::NftExecutor* executor);

  // One pass: load, compile, apply. Errors leave the kernel as it was.
  Status SyncOnce();
  // Loops until Stop().
  void Run();
  void Stop();

  struct Snapshot {
    uint64_t syncs = 0;          // successful applies
    uint64_t failures = 0;
    std::string last_error;      // "" after a success
    size_t plan_elements = 0;
    nft::NftDataplane::Stats last_apply;
    uint64_t conntrack_flushes = 0;  // flushes run (addresses changed owner)
    uint64_t conntrack_deleted = 0;  // entries they deleted
  };
  Snapshot snapshot() const;
  // Called after every sync attempt, on the Run() thread (logging).
  void set_on_sync(std::function<void(const Status&, const Snapshot&)> f) { on_sync_ = std::move(f); }
  // Flushes conntrack entries on owner changes (null: never); it must
  // outlive the agent and act in the enforced namespace. Set before Run().
  void set_conntrack(nft::ConntrackFlusher* flusher) { conntrack_ = flusher; }

 private:
  AgentOptions options_;
  PolicySource source_;
  nft::NftDataplane dataplane_;
  nft::ConntrackFlusher* conntrack_ = nullptr;
  std::optional<AddressOwners> owners_;  // as of the last sync that flushed; Run() thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  Snapshot snapshot_;     // guarded by mu_
  std::function<void(const Status&, const Snapshot&)> on_sync_;
};

}  // namespace microseg
