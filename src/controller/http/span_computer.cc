#include "controller/http/span_computer.h"

#include <algorithm>
#include <set>

#include "controller/api/object_json.h"
#include "ingest/manifest_loader.h"
#include "model/kinds.h"
#include "policy/object_apply.h"
#include "policy/policy_engine.h"

namespace microseg {

namespace {

using namespace std::chrono_literals;

// The store keys of the objects in `span`.
std::set<ObjectKey> KeysOf(const ObjectSet& span) {
  std::set<ObjectKey> keys;
  ForEachObject(span, [&](ObjectKind kind, const auto& o) {
    keys.insert({std::string(KindName(kind)), std::string(NamespaceOf(o)), o.name});
  });
  return keys;
}

bool IsEndpointKind(const std::string& kind) {
  return kind == "Pod" || kind == "Workload" || kind == "Node";
}

// Pods, workloads and nodes grouped as the engine groups identities: two
// endpoints with one key match exactly the same peer selectors.
template <typename Fn>
void ForEachEndpointFacts(const ObjectSet& objects, Fn fn) {
  for (const Pod& p : objects.pods) {
    std::string id = p.HoldsIps() && !p.host_network
                         ? "Pod|" + p.namespace_name + "|" + p.labels.ToString()
                         : "";
    fn(ObjectKey{"Pod", p.namespace_name, p.name}, std::move(id), p.node_name, p.namespace_name);
  }
  for (const Workload& w : objects.workloads) {
    std::string id = std::string("Workload|") + (w.unmanaged ? "u|" : "m|") + w.labels.ToString();
    fn(ObjectKey{"Workload", "", w.name}, std::move(id), w.host, std::string());
  }
  for (const Node& n : objects.nodes) {
    fn(ObjectKey{"Node", "", n.name}, "Node|" + n.labels.ToString(), n.name, std::string());
  }
}

}  // namespace

SpanComputer::SpanComputer() = default;

SpanComputer::~SpanComputer() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (pump_.joinable()) pump_.join();
}

Result<Snapshot> SpanComputer::Span(const Snapshot& all, const std::string& node) {
  MutexLock lock(&snapshot_mu_);
  if (snapshot_engine_ == nullptr || snapshot_revision_ != all.revision) {
    snapshot_engine_.reset();
    // What the store holds was validated by apply; a failure here means a
    // stored document no longer decodes (a newer controller wrote it).
    Result<LoadedManifests> decoded =
        ParseStoredDocument(RenderList(all), "store@" + std::to_string(all.revision));
    if (!decoded.ok()) return decoded.status();
    auto engine = std::make_unique<PolicyEngine>();
    engine->Load(std::move(decoded->objects));
    snapshot_engine_ = std::move(engine);
    snapshot_revision_ = all.revision;
  }
  std::set<ObjectKey> keys = KeysOf(snapshot_engine_->SpanFor(node));
  Snapshot out;
  out.revision = all.revision;
  for (const StoredObject& object : all.objects) {
    if (keys.count(object.key)) out.objects.push_back(object);
  }
  return out;
}

// ---- live mode ----

void SpanComputer::SetFactsLocked(const ObjectKey& key, std::optional<Facts> facts) {
  if (auto it = facts_.find(key); it != facts_.end()) {
    if (!it->second.identity.empty() && --identity_counts_[it->second.identity] == 0) {
      identity_counts_.erase(it->second.identity);
    }
    facts_.erase(it);
  }
  if (!facts) return;
  if (!facts->identity.empty()) ++identity_counts_[facts->identity];
  facts_.emplace(key, std::move(*facts));
}

Status SpanComputer::ReloadLocked() {
  Result<Snapshot> all = store_->List({});
  if (!all.ok()) return all.status();
  Result<LoadedManifests> decoded =
      ParseStoredDocument(RenderList(*all), "store@" + std::to_string(all->revision));
  if (!decoded.ok()) return decoded.status();
  facts_.clear();
  identity_counts_.clear();
  std::vector<std::pair<ObjectKey, Facts>> endpoints;
  ForEachEndpointFacts(decoded->objects, [&](ObjectKey key, std::string id, std::string local,
                                             std::string ns) {
    endpoints.emplace_back(std::move(key), Facts{std::move(id), std::move(local), std::move(ns)});
  });
  for (auto& [key, facts] : endpoints) SetFactsLocked(key, std::move(facts));
  auto engine = std::make_unique<PolicyEngine>();
  engine->Load(std::move(decoded->objects));
  engine_ = std::move(engine);
  objects_.clear();
  for (StoredObject& o : all->objects) {
    ObjectKey key = o.key;
    objects_.emplace(std::move(key), std::move(o));
  }
  revision_ = all->revision;
  // Every registered node's history is gone: its agent fetches its span
  // again (and registers anew).
  nodes_.clear();
  reload_ = false;
  cv_.notify_all();
  return Status::Ok();
}

Status SpanComputer::EnsureStartedLocked(Store* store) {
  if (engine_ != nullptr && !reload_) return Status::Ok();
  if (stopping_) return Status::Error("controller stopping");
  store_ = store;
  MICROSEG_RETURN_IF_ERROR(ReloadLocked());
  if (!pump_.joinable()) pump_ = std::thread([this] { Pump(); });
  return Status::Ok();
}

void SpanComputer::Pump() {
  std::unique_ptr<WatchStream> stream;
  int64_t from = -1;
  MutexLock lock(&mu_);
  auto pause = [&](std::chrono::milliseconds d) REQUIRES(mu_) {
    lock.WaitFor(cv_, d, [this]() REQUIRES(mu_) { return stopping_; });
  };
  while (!stopping_) {
    if (reload_) {
      stream.reset();
      if (!ReloadLocked().ok()) {
        pause(1000ms);
        continue;
      }
    }
    if (stream == nullptr || from != revision_) {
      from = revision_;
      Store* store = store_;
      lock.Unlock();
      Result<std::unique_ptr<WatchStream>> opened = store->Watch(from);
      lock.Lock();
      if (!opened.ok()) {
        pause(500ms);
        continue;
      }
      stream = std::move(*opened);
    }
    lock.Unlock();
    Result<WatchBatch> batch = stream->Next(200ms);
    lock.Lock();
    if (!batch.ok()) {
      stream.reset();
      pause(500ms);
      continue;
    }
    if (batch->compacted) {
      reload_ = true;
      continue;
    }
    if (!batch->events.empty()) {
      ApplyLocked(batch->events);
      from = revision_;
      cv_.notify_all();
    }
  }
}

void SpanComputer::LogUpsertLocked(NodeTrack* track, const ObjectKey& key, int64_t revision) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return;
  track->keys.insert(key);
  track->log.push_back({revision, false, it->second});
}

void SpanComputer::LogDeleteLocked(NodeTrack* track, const ObjectKey& key, int64_t revision) {
  track->keys.erase(key);
  Delta d;
  d.revision = revision;
  d.deleted = true;
  d.object.key = key;
  d.object.resource_version = revision;
  track->log.push_back(std::move(d));
}

void SpanComputer::RecomputeLocked(const std::string& node, NodeTrack* track,
                                   const std::set<ObjectKey>& changed, int64_t revision,
                                   bool log) {
  ++stats_.recomputes;
  std::set<ObjectKey> keys = KeysOf(engine_->SpanFor(node, &track->demands));
  track->peer_ids.clear();
  track->local_ids.clear();
  for (const ObjectKey& key : keys) {
    auto f = facts_.find(key);
    if (f == facts_.end() || f->second.identity.empty()) continue;
    (f->second.local == node ? track->local_ids : track->peer_ids).insert(f->second.identity);
  }
  track->known_ids.clear();
  for (const auto& [id, count] : identity_counts_) track->known_ids.insert(id);
  if (log) {
    for (const ObjectKey& key : keys) {
      if (!track->keys.count(key) || changed.count(key)) LogUpsertLocked(track, key, revision);
    }
    std::vector<ObjectKey> gone;
    for (const ObjectKey& key : track->keys) {
      if (!keys.count(key)) gone.push_back(key);
    }
    for (const ObjectKey& key : gone) LogDeleteLocked(track, key, revision);
  }
  track->keys = std::move(keys);
}

bool SpanComputer::MeetsDemand(const ObjectKey& key,
                               const std::vector<PolicyEngine::NamedPortDemand>& demands) const {
  if (key.kind == "Pod") {
    return engine_->MeetsNamedPortDemand(EndpointKind::kPod, key.namespace_name + "/" + key.name,
                                         demands);
  }
  if (key.kind == "Workload") return engine_->MeetsNamedPortDemand(EndpointKind::kWorkload, key.name, demands);
  return false;
}

void SpanComputer::ApplyLocked(const std::vector<WatchEvent>& events) {
  std::vector<Change> changes;
  changes.reserve(events.size());
  for (const WatchEvent& event : events) {
    ++stats_.events;
    const ObjectKey& key = event.object.key;
    Change c{key, event.type == EventType::kDeleted, event.object.resource_version, std::nullopt};
    revision_ = std::max(revision_, event.object.resource_version);
    if (c.deleted) {
      DeleteObject(engine_.get(), key.kind, key.namespace_name, key.name);
      objects_.erase(key);
      SetFactsLocked(key, std::nullopt);
    } else {
      Result<LoadedManifests> decoded =
          ParseStoredManifests(event.object.json, "store@" + std::to_string(c.revision));
      if (!decoded.ok()) continue;  // validated by apply; a newer writer's document
      std::optional<Facts> facts;
      ForEachEndpointFacts(decoded->objects, [&](ObjectKey, std::string id, std::string local,
                                                 std::string ns) {
        facts = Facts{std::move(id), std::move(local), std::move(ns)};
      });
      SetFactsLocked(key, facts);
      c.facts = std::move(facts);
      UpsertObjects(engine_.get(), std::move(decoded->objects));
      objects_[key] = event.object;
    }
    changes.push_back(std::move(c));
  }
  if (changes.empty()) return;
  const int64_t last = changes.back().revision;
  for (auto& entry : nodes_) {
    // Named, not a structured binding: the lambda below captures them
    // (clang before 16 cannot capture bindings).
    const std::string& node = entry.first;
    NodeTrack& track = entry.second;
    bool recompute = false;
    std::set<ObjectKey> changed;
    for (const Change& c : changes) {
      changed.insert(c.key);
      if (!IsEndpointKind(c.key.kind)) {
        recompute = true;
        continue;
      }
      const bool in_span = track.keys.count(c.key) > 0;
      if (c.deleted) {
        if (in_span) LogDeleteLocked(&track, c.key, c.revision);
        continue;
      }
      if (!c.facts) continue;
      const Facts& f = *c.facts;
      auto add_namespace = [&]() REQUIRES(mu_) {
        ObjectKey ns{"Namespace", "", f.namespace_name};
        if (!f.namespace_name.empty() && !track.keys.count(ns)) {
          LogUpsertLocked(&track, ns, c.revision);
        }
      };
      if (f.local == node && !f.identity.empty()) {
        if (track.local_ids.count(f.identity)) {
          add_namespace();
          LogUpsertLocked(&track, c.key, c.revision);
        } else {
          recompute = true;  // a new kind of local endpoint: new rules, new peers
        }
      } else if (in_span) {
        LogUpsertLocked(&track, c.key, c.revision);
      } else if (f.identity.empty()) {
        continue;
      } else if (track.peer_ids.count(f.identity) || !track.known_ids.count(f.identity)) {
        // A peer's identity, or one never evaluated against this node.
        track.peer_ids.insert(f.identity);
        track.known_ids.insert(f.identity);
        add_namespace();
        LogUpsertLocked(&track, c.key, c.revision);
      } else if (MeetsDemand(c.key, track.demands)) {
        add_namespace();
        LogUpsertLocked(&track, c.key, c.revision);
      }
    }
    if (recompute) RecomputeLocked(node, &track, changed, last, /*log=*/true);
    while (track.log.size() > kMaxLog) {
      track.floor = track.log.front().revision;
      track.log.pop_front();
    }
  }
}

Result<Snapshot> SpanComputer::LiveSpan(Store* store, const std::string& node) {
  MutexLock lock(&mu_);
  MICROSEG_RETURN_IF_ERROR(EnsureStartedLocked(store));
  auto [it, inserted] = nodes_.try_emplace(node);
  NodeTrack& track = it->second;
  if (inserted) {
    track.floor = revision_;
    RecomputeLocked(node, &track, {}, revision_, /*log=*/false);
  }
  Snapshot out;
  out.revision = revision_;
  for (const ObjectKey& key : track.keys) {
    if (auto o = objects_.find(key); o != objects_.end()) out.objects.push_back(o->second);
  }
  return out;
}

Result<SpanComputer::Batch> SpanComputer::Next(Store* store, const std::string& node,
                                               int64_t after, std::chrono::milliseconds max_wait) {
  MutexLock lock(&mu_);
  MICROSEG_RETURN_IF_ERROR(EnsureStartedLocked(store));
  Batch out;
  auto gone = [&](std::string why) REQUIRES(mu_) {
    out.gone = true;
    out.gone_reason = std::move(why);
    out.revision = revision_;
    return out;
  };
  if (after > revision_) {
    return gone("resourceVersion " + std::to_string(after) + " is newer than this controller's " +
                std::to_string(revision_) + ": get the span again");
  }
  auto it = nodes_.find(node);
  if (it == nodes_.end() || after < it->second.floor) {
    std::string why;
    if (!RejoinLocked(node, after, &out.deltas, &why)) return gone(why);
    out.revision = revision_;
    return out;
  }
  auto collect = [&]() REQUIRES(mu_) {
    const std::deque<Delta>& log = it->second.log;
    auto first = std::upper_bound(log.begin(), log.end(), after,
                                  [](int64_t a, const Delta& d) { return a < d.revision; });
    out.deltas.assign(first, log.end());
  };
  collect();
  if (out.deltas.empty() && max_wait.count() > 0) {
    const int64_t seen = revision_;
    lock.WaitFor(cv_, max_wait,
                 [&]() REQUIRES(mu_) { return stopping_ || revision_ != seen || reload_; });
    it = nodes_.find(node);
    if (it == nodes_.end()) return gone("span history of node " + node + " was reset: get the span again");
    collect();
  }
  out.revision = revision_;
  return out;
}

bool SpanComputer::RejoinLocked(const std::string& node, int64_t after, std::vector<Delta>* out,
                                std::string* why) {
  const std::string prefix = "resourceVersion " + std::to_string(after) + " of node " + node + ": ";
  std::set<ObjectKey> changed;
  if (after < revision_) {
    Result<std::unique_ptr<WatchStream>> history = store_->Watch(after);
    if (!history.ok()) {
      *why = prefix + history.status().message();
      return false;
    }
    for (int round = 0;; ++round) {
      Result<WatchBatch> batch = (*history)->Next(std::chrono::milliseconds(round == 0 ? 0 : 50));
      if (!batch.ok()) {
        *why = prefix + batch.status().message();
        return false;
      }
      if (batch->compacted) {
        *why = prefix + "the store's history was compacted: get the span again";
        return false;
      }
      bool done = batch->events.empty() || round > 10000;
      for (const WatchEvent& e : batch->events) {
        if (e.object.resource_version > revision_) {
          done = true;
          break;
        }
        changed.insert(e.object.key);
        if (e.object.resource_version == revision_) done = true;
      }
      if (done) break;
    }
  }
  for (const ObjectKey& key : changed) {
    if (!IsEndpointKind(key.kind)) {
      *why = prefix + key.ToString() + " changed since: get the span again";
      return false;
    }
    if (auto f = facts_.find(key); f != facts_.end() && f->second.local == node) {
      *why = prefix + "a local endpoint changed since: get the span again";
      return false;
    }
  }
  auto [it, inserted] = nodes_.try_emplace(node);
  NodeTrack& track = it->second;
  if (inserted) {
    track.floor = revision_;
    RecomputeLocked(node, &track, {}, revision_, /*log=*/false);
  }
  for (const ObjectKey& key : changed) {
    Delta d;
    d.revision = revision_;
    if (track.keys.count(key) && objects_.count(key)) {
      d.object = objects_.at(key);
    } else {
      d.deleted = true;
      d.object.key = key;
      d.object.resource_version = revision_;
    }
    out->push_back(std::move(d));
  }
  return true;
}

SpanComputer::Stats SpanComputer::stats() {
  MutexLock lock(&mu_);
  Stats s = stats_;
  s.revision = revision_;
  s.nodes = nodes_.size();
  return s;
}

}  // namespace microseg
