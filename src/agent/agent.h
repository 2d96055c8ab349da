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
// by the next sync). The first sync after a start compares the table the
// kernel kept (read back) with the new plan and flushes the addresses whose
// rights differ (RightsChanges): flows of an address that changed owner
// while the agent was down do not keep the old owner's rights, and flows
// whose rights did not change are not cut.
//
// Fail closed (docs/FAIL_CLOSED.md): when the kernel refuses a plan, the
// agent installs FailClosedPlan (agent/fail_closed.h: default deny for
// every enforced local address, failsafe ports open) in its place, reports
// it in last_error and the snapshot, and retries the real plan with
// exponential backoff (poll_interval doubled per refusal, at most
// max_retry_backoff).
//
// Span streams: a source may also hand over deltas (objects that entered,
// changed in or left the span since the last load). The agent keeps its
// engine and last plan between syncs, applies the deltas with
// Upsert/Delete, and, when every delta is a Pod, asks the compiler to
// patch the plan (PatchPeers, plan/peer_patch.h: remote pod churn only
// moves peer addresses). Anything else, or a patch the compiler refuses,
// compiles the whole plan from the kept engine (no decode). Either way the dataplane applies the plan diff, and
// the conntrack flusher gets the addresses the deltas touched.
//
// Thread safety: Run() on one thread; Stop()/Snapshot()/Wake() from any
// thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
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
#include "plan/peer_patch.h"
#include "plan/plan_diff.h"
#include "policy/policy_engine.h"

namespace microseg {

struct AgentOptions {
  std::string node;  // required: the enforcement point's name
  PlanOptions plan;
  std::chrono::milliseconds poll_interval{300};  // how often the source is checked
  std::chrono::milliseconds resync_interval{60000};
  // Ceiling of the backoff between retries of a plan the kernel refused.
  std::chrono::milliseconds max_retry_backoff{30000};
};

// One change of a span stream: an object to upsert (one object in
// `object`) or a key to delete.
struct PolicyDelta {
  bool deleted = false;
  std::string kind, namespace_name, name;
  ObjectSet object;
};


// Where policy comes from. `changed` is cheap (an mtime poll); `load` reads.
// With `take_deltas`, `changed` means "load again from scratch" and deltas
// carry everything else; `subscribe` (optional) gives the source a callback
// that wakes the agent when there is something to take; `health`
// (optional) is the stream's state: an error while the stream is down
// counts as a failed sync (reported; the kernel and engine are kept, and
// the stream resumes without a load).
struct PolicySource {
  std::function<bool()> changed;
  std::function<Result<ObjectSet>()> load;
  std::function<std::vector<PolicyDelta>()> take_deltas = nullptr;
  std::function<void(std::function<void()>)> subscribe = nullptr;
  std::function<Status()> health = nullptr;
};

// Manifests on disk: changed when any file's path, size or mtime changes.
// (Not "ManifestSource": that is the controller API's {source, text}.)
PolicySource ManifestFileSource(std::vector<std::string> paths);

class Agent {
 public:
  Agent(AgentOptions options, PolicySource source, nft::NftExecutor* executor);

  // One pass: load, compile, apply. Errors leave the kernel as it was.
  Status SyncOnce();
  // Applies `deltas` to the engine of the last load, patches or compiles,
  // applies. Without a previous successful load it is SyncOnce().
  Status SyncDeltas(std::vector<PolicyDelta> deltas);
  // Loops until Stop().
  void Run();
  void Stop();
  // Ends Run()'s current wait (a source has something new).
  void Wake();

  struct Snapshot {
    uint64_t syncs = 0;          // successful applies
    uint64_t failures = 0;
    std::string last_error;      // "" after a success
    uint64_t apply_failures = 0;  // consecutive plans the kernel refused
    bool fail_closed = false;     // the kernel holds the default-deny fallback
    int64_t retry_in_ms = 0;      // after a refusal: when the plan is retried
    size_t plan_elements = 0;
    nft::NftDataplane::Stats last_apply;
    uint64_t conntrack_flushes = 0;  // flushes run (addresses changed owner)
    uint64_t conntrack_deleted = 0;  // entries they deleted
    uint64_t delta_syncs = 0;        // syncs from deltas (included in syncs/failures)
    uint64_t patched = 0;            // of those, plans patched rather than compiled
    std::string patch_refusal;       // why the last unpatched delta sync compiled
    // Delta syncs: time spent updating the engine and plan (apply deltas,
    // patch or compile) and in the dataplane (diff, render, run), summed.
    double delta_plan_ms = 0, delta_apply_ms = 0;
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
  // The engine and plan of the last successful sync (Run() thread only);
  // null after a failed one: the next sync loads again.
  std::unique_ptr<PolicyEngine> engine_;
  std::optional<Plan> plan_;
  // What patches learned since the last compile (Run() thread only).
  PeerClassMemory peer_memory_;
  std::string patch_refusal_;
  // The table the kernel held when this agent started (read back by its
  // first apply), until the first sync that flushes conntrack.
  std::optional<Plan> boot_table_;
  bool boot_read_ = false;
  uint64_t apply_failures_ = 0;  // Run() thread only
  // Installs the fail-closed fallback for `wanted`, which the kernel refused
  // with `refused`; returns the error to report.
  Status FailClosed(const Status& refused, const Plan& wanted);
  Status Finish(Status s, const Plan* plan, bool flush_ran, size_t flushed, bool delta, bool patched);
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  bool woken_ = false;    // guarded by mu_
  bool stream_down_ = false;  // Run() thread only
  Snapshot snapshot_;     // guarded by mu_
  std::function<void(const Status&, const Snapshot&)> on_sync_;
};

}  // namespace microseg
