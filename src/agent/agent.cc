#include "agent/agent.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/fail_closed.h"
#include "ingest/manifest_loader.h"
#include "plan/compiler.h"
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
                     bool patched, bool mismatch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (flush_ran) {
    ++snapshot_.conntrack_flushes;
    snapshot_.conntrack_deleted += flushed;
  }
  if (delta) ++snapshot_.delta_syncs;
  if (patched) ++snapshot_.patched;
  if (delta && !patched) snapshot_.patch_refusal = patch_refusal_;
  if (mismatch) ++snapshot_.patch_mismatches;
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
    known_classes_.clear();
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
  return Finish(s, plan_ ? &*plan_ : nullptr, flush_ran, flushed, false, false, false);
}

namespace {

bool SamePorts(const std::vector<ContainerPort>& a, const std::vector<ContainerPort>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].port != b[i].port || a[i].protocol != b[i].protocol) {
      return false;
    }
  }
  return true;
}

std::vector<IpAddress> LiveIps(const Pod* p) {
  if (p == nullptr || !p->HoldsIps() || p->host_network) return {};
  return p->ips;
}

// The range class around `ip` ("" outside every block).
std::string RangeClass(const DirectionPlan& d, const IpAddress& ip) {
  // Ranges are disjoint: the one holding ip is the last starting at or
  // before it.
  auto it = d.peer_ranges.upper_bound(AddressRange{ip, ip});
  if (it != d.peer_ranges.end() && it->first.first == ip) return it->second;
  if (it == d.peer_ranges.begin()) return "";
  --it;
  const AddressRange& r = it->first;
  if (r.first.family() == ip.family() && !(ip < r.first) && !(r.last < ip)) return it->second;
  return "";
}

bool Contains(const std::vector<IpAddress>& v, const IpAddress& ip) {
  return std::find(v.begin(), v.end(), ip) != v.end();
}

}  // namespace

bool Agent::PatchPlan(const std::vector<std::pair<std::string, std::optional<Pod>>>& before,
                      std::vector<IpAddress>* touched, PlanDiff* diff) {
  auto Refuse = [this](const char* why) {
    patch_refusal_ = why;
    return false;
  };
  Plan& plan = *plan_;
  const PolicyEngine& engine = *engine_;
  std::set<std::string> changed;
  for (const auto& [key, pod] : before) changed.insert(key);
  struct Added {
    IpAddress ip;
    const Pod* pod;
  };
  std::vector<Added> removed, added;
  for (const auto& [key, old_pod] : before) {
    const Pod* now = engine.FindPod(key);
    std::vector<IpAddress> old_ips = LiveIps(old_pod ? &*old_pod : nullptr), new_ips = LiveIps(now);
    bool same_kind = old_pod && now && old_pod->labels.ToString() == now->labels.ToString() &&
                     SamePorts(old_pod->ports, now->ports);
    for (const IpAddress& ip : old_ips) {
      if (!same_kind || !Contains(new_ips, ip)) removed.push_back({ip, &*old_pod});
    }
    for (const IpAddress& ip : new_ips) {
      if (!same_kind || !Contains(old_ips, ip)) added.push_back({ip, now});
    }
  }
  for (const Added& r : removed) touched->push_back(r.ip);
  for (const Added& a : added) touched->push_back(a.ip);
  auto is_local = [&](const IpAddress& ip) {
    return plan.ingress.local.count(ip) > 0 || plan.egress.local.count(ip) > 0;
  };
  // What decides a peer address's class besides its rules' tokens: the
  // pod's identity (namespace, labels), its ports (named-port tokens) and
  // the blocks around the address.
  auto class_key = [&](const Pod& p, const IpAddress& ip) {
    std::string key = p.namespace_name + "|" + p.labels.ToString() + "|";
    for (const ContainerPort& cp : p.ports) {
      key += cp.name + "/" + std::to_string(cp.port) + "/" + std::string(ProtocolName(cp.protocol)) + ",";
    }
    return key + "|" + RangeClass(plan.ingress, ip) + "|" + RangeClass(plan.egress, ip);
  };
  for (const Added& r : removed) {
    const IpAddress& ip = r.ip;
    bool re_added = false;
    for (const Added& a : added) re_added |= a.ip == ip;
    if (re_added || engine.AddressOwnerCount(ip) > 0 || is_local(ip)) return Refuse("a removed address is still held or local");
    // Remembered for a pod of the same kind that comes back (a recreated
    // pod whose identity had no other member).
    auto in = plan.ingress.peer_hosts.find(ip), eg = plan.egress.peer_hosts.find(ip);
    known_classes_[class_key(*r.pod, ip)] = {
        in == plan.ingress.peer_hosts.end() ? "" : in->second,
        eg == plan.egress.peer_hosts.end() ? "" : eg->second};
    if (in != plan.ingress.peer_hosts.end()) {
      plan.ingress.peer_hosts.erase(in);
      diff->ingress.hosts_removed.push_back(ip);
    }
    if (eg != plan.egress.peer_hosts.end()) {
      plan.egress.peer_hosts.erase(eg);
      diff->egress.hosts_removed.push_back(ip);
    }
  }
  for (const Added& a : added) {
    if (engine.AddressOwnerCount(a.ip) != 1 || is_local(a.ip)) return Refuse("an added address has several owners or is local");
    if (plan.ingress.peer_hosts.count(a.ip) || plan.egress.peer_hosts.count(a.ip)) return Refuse("an added address is already a peer");
    Result<Endpoint> self = engine.Resolve("pod/" + a.pod->Key());
    if (!self.ok() || self->identity == kNoIdentity) return Refuse("an added pod has no identity");
    const std::unordered_set<std::string>* members = engine.IdentityMembers(self->identity);
    if (members == nullptr) return Refuse("an added pod's identity is gone");
    // An unchanged member with the same ports and the same surrounding
    // blocks has the same class in both directions.
    const IpAddress* twin = nullptr;
    int tried = 0;
    for (const std::string& m : *members) {
      if (++tried > 16) break;
      if (changed.count(m)) continue;
      const Pod* sibling = engine.FindPod(m);
      if (sibling == nullptr || LiveIps(sibling).empty() || !SamePorts(sibling->ports, a.pod->ports)) {
        continue;
      }
      const IpAddress& z = sibling->ips.front();
      if (z.family() != a.ip.family() || engine.AddressOwnerCount(z) != 1 || is_local(z)) continue;
      if (RangeClass(plan.ingress, z) != RangeClass(plan.ingress, a.ip) ||
          RangeClass(plan.egress, z) != RangeClass(plan.egress, a.ip)) {
        continue;
      }
      twin = &z;
      break;
    }
    if (twin != nullptr) {
      for (auto [d, dd] : {std::pair{&plan.ingress, &diff->ingress}, std::pair{&plan.egress, &diff->egress}}) {
        auto it = d->peer_hosts.find(*twin);
        if (it == d->peer_hosts.end()) continue;
        d->peer_hosts.emplace(a.ip, it->second);
        dd->hosts_added.emplace_back(a.ip, it->second);
      }
      continue;
    }
    auto known = known_classes_.find(class_key(*a.pod, a.ip));
    if (known == known_classes_.end()) return Refuse("an added pod has no twin and no remembered class");
    if (!known->second.first.empty()) {
      plan.ingress.peer_hosts.emplace(a.ip, known->second.first);
      diff->ingress.hosts_added.emplace_back(a.ip, known->second.first);
    }
    if (!known->second.second.empty()) {
      plan.egress.peer_hosts.emplace(a.ip, known->second.second);
      diff->egress.hosts_added.emplace_back(a.ip, known->second.second);
    }
  }
  return true;
}

Status Agent::SyncDeltas(std::vector<PolicyDelta> deltas) {
  if (engine_ == nullptr || !plan_) return SyncOnce();
  // What the touched pods were before, and whether a patch can do.
  bool patchable = true;
  std::vector<std::pair<std::string, std::optional<Pod>>> before;
  std::set<std::string> seen;
  for (const PolicyDelta& d : deltas) {
    if (d.kind != "Pod") {
      patchable = false;
      patch_refusal_ = "a " + d.kind + " changed";
      continue;
    }
    std::string key = d.namespace_name + "/" + d.name;
    if (!d.deleted && d.object.pods.size() == 1) {
      const Pod& p = d.object.pods.front();
      if (p.node_name == options_.node || p.host_network) {
        patchable = false;
        patch_refusal_ = "a local or hostNetwork pod changed";
      }
    }
    if (!seen.insert(key).second) continue;
    const Pod* old = engine_->FindPod(key);
    if (old != nullptr && (old->node_name == options_.node || old->host_network)) {
      patchable = false;
      patch_refusal_ = "a local or hostNetwork pod changed";
    }
    before.emplace_back(key, old ? std::optional<Pod>(*old) : std::nullopt);
  }
  // Addresses whose owner may have changed, for the conntrack flush.
  std::vector<IpAddress> touched;
  auto touch = [&](const ObjectSet& o) {
    for (const Pod& p : o.pods) touched.insert(touched.end(), p.ips.begin(), p.ips.end());
    for (const Workload& w : o.workloads) touched.insert(touched.end(), w.ips.begin(), w.ips.end());
    for (const Node& n : o.nodes) touched.insert(touched.end(), n.ips.begin(), n.ips.end());
  };
  for (const auto& [key, pod] : before) {
    if (pod) touched.insert(touched.end(), pod->ips.begin(), pod->ips.end());
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
  bool patched = false, mismatch = false;
  PlanDiff diff;
  if (patchable) {
    std::vector<IpAddress> ignored;
    patched = PatchPlan(before, &ignored, &diff);
  }
  if (!patched) {
    plan_ = CompileForNode(*engine_, options_.node, options_.plan);
    known_classes_.clear();
  } else if (options_.verify_patches) {
    Plan compiled = CompileForNode(*engine_, options_.node, options_.plan);
    if (!(compiled == *plan_)) {
      mismatch = true;
      plan_ = std::move(compiled);
    }
  }
  const auto t_apply = Clock::now();
  // A patch knows its diff: the dataplane need not diff (and copy) whole plans.
  Status s = patched && !mismatch ? dataplane_.ApplyHostChanges(diff, *plan_) : dataplane_.Apply(*plan_);
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
  return Finish(s, reported, flush_ran, flushed, true, patched, mismatch);
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
