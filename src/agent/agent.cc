#include "agent/agent.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/fail_closed.h"
#include "ingest/manifest_loader.h"
#include "plan/compiler.h"
#include "plan/peer_patch.h"
#include "policy/object_apply.h"
#include "policy/policy_engine.h"

namespace microseg {
namespace fs = std::filesystem;

namespace {

// "path|size|mtime" of every manifest file under `paths`, sorted.
std::string Fingerprint(const std::vector<std::string>& paths) {
  std::string out;
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    auto size = fs::file_size(p, ec);
    auto mtime = fs::last_write_time(p, ec);
    out += p.string() + "|" + std::to_string(ec ? 0 : size) + "|" +
           std::to_string(mtime.time_since_epoch().count()) + "\n";
  };
  for (const std::string& root : paths) {
    if (fs::is_directory(root, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) add(f);
    } else {
      add(root);
    }
  }
  return out;
}

}  // namespace

PolicySource ManifestFileSource(std::vector<std::string> paths) {
  auto last = std::make_shared<std::string>();
  PolicySource s;
  s.changed = [paths, last] {
    std::string now = Fingerprint(paths);
    if (now == *last) return false;
    *last = std::move(now);
    return true;
  };
  s.load = [paths]() -> Result<ObjectSet> {
    auto loaded = LoadManifests(paths);
    if (!loaded.ok()) return loaded.status();
    return std::move(loaded->objects);
  };
  return s;
}

Agent::Agent(AgentOptions options, PolicySource source, nft::NftExecutor* executor)
    : options_(std::move(options)), source_(std::move(source)), dataplane_(executor) {
  if (source_.subscribe) source_.subscribe([this] { Wake(); });
}

Status Agent::Finish(Status s, const Plan* plan, bool flush_ran, size_t flushed, bool delta,
                     bool patched) {
  std::lock_guard<std::mutex> lock(mu_);
  if (flush_ran) {
    ++snapshot_.conntrack_flushes;
    snapshot_.conntrack_deleted += flushed;
  }
  if (delta) ++snapshot_.delta_syncs;
  if (patched) ++snapshot_.patched;
  if (delta && !patched) snapshot_.patch_refusal = patch_refusal_;
  if (s.ok()) {
    ++snapshot_.syncs;
    snapshot_.last_error.clear();
    snapshot_.apply_failures = 0;
    snapshot_.fail_closed = false;
    snapshot_.retry_in_ms = 0;
    snapshot_.plan_elements = plan->ElementCount();
    snapshot_.last_apply = dataplane_.last();
  } else {
    ++snapshot_.failures;
    snapshot_.last_error = s.message();
  }
  return s;
}

Status Agent::FailClosed(const Status& refused, const Plan& wanted) {
  ++apply_failures_;
  Status installed = dataplane_.Install(FailClosedPlan(wanted));
  auto delay = RetryDelay(apply_failures_, options_.poll_interval, options_.max_retry_backoff);
  std::set<IpAddress> locals = wanted.ingress.local;
  locals.insert(wanted.egress.local.begin(), wanted.egress.local.end());
  std::string msg = "kernel refused the plan (" + std::to_string(apply_failures_) + " in a row, retry in " +
                    std::to_string(delay.count()) + " ms): " + refused.message();
  msg += installed.ok() ? "; failing closed: default deny for " + std::to_string(locals.size()) +
                              " local addresses"
                        : "; the default-deny fallback failed too: " + installed.message();
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.apply_failures = apply_failures_;
  snapshot_.fail_closed = installed.ok();
  snapshot_.retry_in_ms = delay.count();
  return Status::Error(msg);
}

Status Agent::SyncOnce() {
  auto objects = source_.load();
  Status s = objects.status();
  engine_.reset();
  plan_.reset();
  Plan plan;
  AddressOwners owners;
  if (s.ok()) {
    if (conntrack_ != nullptr) owners = OwnersOf(*objects);
    auto engine = std::make_unique<PolicyEngine>();
    engine->Load(std::move(*objects));
    plan = CompileForNode(*engine, options_.node, options_.plan);
    peer_memory_.Forget();
    s = dataplane_.Apply(plan);
    if (!boot_read_) {  // the first apply read the kernel back
      boot_read_ = true;
      boot_table_ = dataplane_.read_back();
    }
    if (s.ok()) {
      engine_ = std::move(engine);
      apply_failures_ = 0;
    } else {
      s = FailClosed(s, plan);
    }
  }
  // After the apply, so that a flushed flow's next packet meets the new
  // policy. owners_ moves on only when the flush worked: a failed one is
  // retried by the next sync.
  size_t flushed = 0;
  bool flush_ran = false;
  if (s.ok() && conntrack_ != nullptr) {
    // Since the last sync, or since the start: what the kernel kept.
    std::vector<IpAddress> changed = owners_      ? OwnerChanges(*owners_, owners)
                                     : boot_table_ ? RightsChanges(*boot_table_, plan)
                                                   : std::vector<IpAddress>{};
    if (!changed.empty()) {
      Result<size_t> deleted = conntrack_->Flush(changed);
      flush_ran = deleted.ok();
      if (deleted.ok()) {
        flushed = *deleted;
      } else {
        s = Status::Error("policy applied, but " + deleted.status().message());
        engine_.reset();
      }
    }
    if (s.ok()) {
      owners_ = std::move(owners);
      boot_table_.reset();
    }
  }
  if (s.ok()) plan_ = std::move(plan);
  return Finish(s, plan_ ? &*plan_ : nullptr, flush_ran, flushed, false, false);
}

Status Agent::SyncDeltas(std::vector<PolicyDelta> deltas) {
  if (engine_ == nullptr || !plan_) return SyncOnce();
  // What the touched pods were before, and whether a patch can do.
  bool patchable = true;
  std::vector<PodChange> before;
  std::set<std::string> seen;
  for (const PolicyDelta& d : deltas) {
    if (d.kind != "Pod") {
      patchable = false;
      patch_refusal_ = "a " + d.kind + " changed";
      continue;
    }
    std::string key = d.namespace_name + "/" + d.name;
    if (!seen.insert(key).second) continue;
    const Pod* old = engine_->FindPod(key);
    before.push_back({key, old ? std::optional<Pod>(*old) : std::nullopt});
  }
  // Addresses whose owner may have changed, for the conntrack flush.
  std::vector<IpAddress> touched;
  auto touch = [&](const ObjectSet& o) {
    for (const Pod& p : o.pods) touched.insert(touched.end(), p.ips.begin(), p.ips.end());
    for (const Workload& w : o.workloads) touched.insert(touched.end(), w.ips.begin(), w.ips.end());
    for (const Node& n : o.nodes) touched.insert(touched.end(), n.ips.begin(), n.ips.end());
  };
  for (const PodChange& c : before) {
    if (c.before) touched.insert(touched.end(), c.before->ips.begin(), c.before->ips.end());
  }
  for (PolicyDelta& d : deltas) {
    if (d.deleted) {
      if (d.kind == "Workload" || d.kind == "Node") {
        // Their addresses are gone with them: flush them too.
        Result<Endpoint> e = engine_->Resolve((d.kind == "Node" ? "node/" : "workload/") + d.name);
        if (e.ok() && e->has_ip) touched.push_back(e->ip);
      }
      DeleteObject(engine_.get(), d.kind, d.namespace_name, d.name);
    } else {
      touch(d.object);
      UpsertObjects(engine_.get(), std::move(d.object));
    }
  }
  using Clock = std::chrono::steady_clock;
  const auto t_engine = Clock::now();
  bool patched = false;
  PlanDiff diff;
  if (patchable) {
    Result<PlanDiff> patch = PatchPeers(*plan_, *engine_, before, &peer_memory_);
    patched = patch.ok();
    if (patched) {
      diff = std::move(*patch);
      ApplyDiff(diff, &*plan_);
    } else {
      patch_refusal_ = patch.status().message();
    }
  }
  if (!patched) {
    plan_ = CompileForNode(*engine_, options_.node, options_.plan);
    peer_memory_.Forget();
  }
  const auto t_apply = Clock::now();
  // A patch knows its diff: the dataplane need not diff (and copy) whole
  // plans. A patch equals a compile (plan/peer_patch_test.cc replays it).
  Status s = patched ? dataplane_.ApplyPatch(diff, *plan_) : dataplane_.Apply(*plan_);
  if (s.ok()) {
    apply_failures_ = 0;
  } else {
    s = FailClosed(s, *plan_);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_.delta_plan_ms += std::chrono::duration<double, std::milli>(t_apply - t_engine).count();
    snapshot_.delta_apply_ms += std::chrono::duration<double, std::milli>(Clock::now() - t_apply).count();
  }
  size_t flushed = 0;
  bool flush_ran = false;
  if (s.ok() && conntrack_ != nullptr && !touched.empty()) {
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    Result<size_t> deleted = conntrack_->Flush(touched);
    flush_ran = deleted.ok();
    if (deleted.ok()) {
      flushed = *deleted;
    } else {
      s = Status::Error("policy applied, but " + deleted.status().message());
    }
  }
  Plan kept;
  const Plan* reported = &*plan_;
  if (!s.ok()) {
    // The next sync loads from scratch.
    kept = std::move(*plan_);
    reported = &kept;
    engine_.reset();
    plan_.reset();
  }
  return Finish(s, reported, flush_ran, flushed, true, patched);
}

void Agent::Run() {
  using Clock = std::chrono::steady_clock;
  bool ok = false;
  auto last_resync = Clock::now();
  source_.changed();  // prime the fingerprint; the first pass syncs anyway
  bool first = true;
  auto retry_at = Clock::now();  // after a refused plan: backoff
  for (;;) {
    // While backing off after a refused plan, nothing runs: the kernel
    // holds the fail-closed fallback.
    bool backing_off = !ok && apply_failures_ > 0 && Clock::now() < retry_at;
    bool resync = !backing_off && Clock::now() - last_resync >= options_.resync_interval;
    if (resync) {
      dataplane_.Invalidate();  // read the kernel back: repairs drift
      last_resync = Clock::now();
    }
    auto backoff = [&] {
      retry_at = Clock::now() + RetryDelay(apply_failures_, options_.poll_interval, options_.max_retry_backoff);
    };
    if (backing_off) {
      // wait below
    } else if (first || !ok || resync || source_.changed()) {
      Status s = SyncOnce();
      ok = s.ok();
      first = false;
      backoff();
      if (on_sync_) on_sync_(s, snapshot());
    } else if (source_.take_deltas) {
      std::vector<PolicyDelta> deltas = source_.take_deltas();
      Status health = source_.health ? source_.health() : Status::Ok();
      if (!deltas.empty()) {
        Status s = SyncDeltas(std::move(deltas));
        ok = s.ok();
        backoff();
        if (on_sync_) on_sync_(s, snapshot());
      } else if (!health.ok()) {
        // The stream is down: nothing to apply, the kernel keeps the plan.
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++snapshot_.failures;
          snapshot_.last_error = health.message();
        }
        stream_down_ = true;
        if (on_sync_) on_sync_(health, snapshot());
      } else if (stream_down_) {
        stream_down_ = false;
        {
          std::lock_guard<std::mutex> lock(mu_);
          snapshot_.last_error.clear();
        }
        if (on_sync_) on_sync_(Status::Ok(), snapshot());
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, options_.poll_interval, [this] { return stop_ || woken_; }) && stop_) {
      return;
    }
    woken_ = false;
  }
}

void Agent::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void Agent::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  cv_.notify_all();
}

Agent::Snapshot Agent::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

}  // namespace microseg
