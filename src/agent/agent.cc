#include "agent/agent.h"

#include <filesystem>

#include "ingest/manifest_loader.h"
#include "plan/compiler.h"
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
    : options_(std::move(options)), source_(std::move(source)), dataplane_(executor) {}

Status Agent::SyncOnce() {
  auto objects = source_.load();
  Status s = objects.status();
  Plan plan;
  AddressOwners owners;
  if (s.ok()) {
    if (conntrack_ != nullptr) owners = OwnersOf(*objects);
    PolicyEngine engine;
    engine.Load(std::move(*objects));
    plan = CompileForNode(engine, options_.node, options_.plan);
    s = dataplane_.Apply(plan);
  }
  // After the apply, so that a flushed flow's next packet meets the new
  // policy. owners_ moves on only when the flush worked: a failed one is
  // retried by the next sync.
  size_t flushed = 0;
  bool flush_ran = false;
  if (s.ok() && conntrack_ != nullptr) {
    std::vector<IpAddress> changed = owners_ ? OwnerChanges(*owners_, owners) : std::vector<IpAddress>{};
    if (!changed.empty()) {
      Result<size_t> deleted = conntrack_->Flush(changed);
      flush_ran = deleted.ok();
      if (deleted.ok()) {
        flushed = *deleted;
      } else {
        s = Status::Error("policy applied, but " + deleted.status().message());
      }
    }
    if (s.ok()) owners_ = std::move(owners);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (flush_ran) {
    ++snapshot_.conntrack_flushes;
    snapshot_.conntrack_deleted += flushed;
  }
  if (s.ok()) {
    ++snapshot_.syncs;
    snapshot_.last_error.clear();
    snapshot_.plan_elements = plan.ElementCount();
    snapshot_.last_apply = dataplane_.last();
  } else {
    ++snapshot_.failures;
    snapshot_.last_error = s.message();
  }
  return s;
}

void Agent::Run() {
  using Clock = std::chrono::steady_clock;
  bool ok = false;
  auto last_resync = Clock::now();
  source_.changed();  // prime the fingerprint; the first pass syncs anyway
  bool first = true;
  for (;;) {
    bool resync = Clock::now() - last_resync >= options_.resync_interval;
    if (resync) {
      dataplane_.Invalidate();  // read the kernel back: repairs drift
      last_resync = Clock::now();
    }
    if (first || !ok || resync || source_.changed()) {
      Status s = SyncOnce();
      ok = s.ok();
      first = false;
      if (on_sync_) on_sync_(s, snapshot());
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, options_.poll_interval, [this] { return stop_; })) return;
  }
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
