// Agent: the per-host enforcement loop.
//
//   source (manifests) -> PolicyEngine -> Compile(node) -> NftDataplane::Apply
//
// It syncs at start, whenever the source reports a change, and every
// `resync_interval` (re-reading the kernel to repair drift). When the
// source cannot be read, nothing is applied: the kernel keeps enforcing the
// last policy, and the agent retries every poll.
//
// Thread safety: Run() on one thread; Stop()/Snapshot() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
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
  };
  Snapshot snapshot() const;
  // Called after every sync attempt, on the Run() thread (logging).
  void set_on_sync(std::function<void(const Status&, const Snapshot&)> f) { on_sync_ = std::move(f); }

 private:
  AgentOptions options_;
  PolicySource source_;
  nft::NftDataplane dataplane_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  Snapshot snapshot_;     // guarded by mu_
  std::function<void(const Status&, const Snapshot&)> on_sync_;
};

}  // namespace microseg
