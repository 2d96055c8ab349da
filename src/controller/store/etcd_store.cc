#include "controller/store/etcd_store.h"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include "controller/store/base64.h"

namespace microseg {

using nlohmann::json;

namespace {

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

std::string DecodeValue(const json& kv, const char* field) {
  auto it = kv.find(field);
  if (it == kv.end() || !it->is_string()) return "";
  return Base64Decode(it->get_ref<const std::string&>()).value_or("");
}

// The 1-minute load average per core, at least 1.
double LoadPerCore() {
  double load = 0;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (getloadavg(&load, 1) != 1) return 1;
  return std::max(1.0, load / cores);
}

}  // namespace

// Streams /v3/watch on a thread of its own, reconnecting to another member
// when one goes away, and hands events to Next through a queue.
class EtcdStore::Stream final : public WatchStream {
 public:
  Stream(EtcdStore* store, int64_t after) : store_(store), next_start_(after + 1) {
    thread_ = std::thread([this] { Run(); });
  }

  ~Stream() override {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    // A request starting just now would miss one stop(); repeat until the
    // thread is out.
    while (!finished_) {
      if (client_ != nullptr) client_->stop();
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    lock.unlock();
    thread_.join();
  }

  Result<WatchBatch> Next(std::chrono::milliseconds max_wait) override {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, max_wait,
                      [&] { return !pending_.empty() || compacted_ || !error_.ok(); });
    WatchBatch batch;
    batch.events.assign(std::make_move_iterator(pending_.begin()),
                        std::make_move_iterator(pending_.end()));
    pending_.clear();
    if (batch.events.empty()) {
      if (!error_.ok()) return error_;
      batch.compacted = compacted_;
    }
    return batch;
  }

 private:
  static constexpr int kMaxFailedRounds = 50;  // ~10 s of no member answering

  void Run() {
    const EtcdGateway& gateway = store_->gateway_;
    size_t index = store_->gateway_.preferred();
    int failures = 0;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_ || compacted_) break;
      }
      bool got_reply = Connect(gateway.endpoints()[index % gateway.endpoints().size()]);
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_ || compacted_) break;
      if (got_reply) {
        failures = 0;
      } else if (++failures >= kMaxFailedRounds * static_cast<int>(gateway.endpoints().size())) {
        error_ = Status::Error("etcd watch: no member reachable");
        break;
      }
      ++index;  // this member went away (or timed out): try the next
      changed_.wait_for(lock, std::chrono::milliseconds(failures > 0 ? 200 : 0));
    }
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    changed_.notify_all();
  }

  // One watch request; true when the member answered at all.
  bool Connect(const EtcdEndpoint& endpoint) {
    httplib::Client client(endpoint.host, endpoint.port);
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(30, 0);
    httplib::Request req;
    req.method = "POST";
    req.path = "/v3/watch";
    req.set_header("Content-Type", "application/json");
    int64_t start;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return true;
      client_ = &client;
      start = next_start_;
    }
    json create = {{"create_request",
                    {{"key", Base64Encode(store_->prefix_)},
                     {"range_end", Base64Encode(PrefixEnd(store_->prefix_))},
                     {"start_revision", std::to_string(start)},
                     {"prev_kv", true}}}};
    req.body = create.dump();
    bool answered = false;
    std::string buffer;
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      answered = true;
      buffer.append(data, size);
      size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (!HandleMessage(line)) return false;
      }
      std::lock_guard<std::mutex> lock(mu_);
      return !stopping_;
    };
    httplib::Result res = client.send(req);
    std::lock_guard<std::mutex> lock(mu_);
    client_ = nullptr;
    return answered || (res && res->status == 200);
  }

  // False to end the request.
  bool HandleMessage(const std::string& line) {
    json message = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object()) return true;  // blank or partial noise
    const json& result = message.contains("result") ? message["result"] : message;
    std::lock_guard<std::mutex> lock(mu_);
    if (result.value("canceled", false)) {
      int64_t compact = EtcdInt(result, "compact_revision");
      if (compact > 0) {
        compacted_ = compact - 1;
        changed_.notify_all();
      }
      return false;  // otherwise reconnect
    }
    auto events = result.find("events");
    if (events == result.end() || !events->is_array()) return true;
    for (const json& e : *events) {
      const json& kv = e.contains("kv") ? e["kv"] : json::object();
      WatchEvent event;
      std::string raw_key = DecodeValue(kv, "key");
      if (!store_->ParseKey(raw_key, &event.object.key)) continue;
      event.object.resource_version = EtcdInt(kv, "mod_revision");
      if (e.value("type", std::string()) == "DELETE") {
        event.type = EventType::kDeleted;
        if (e.contains("prev_kv")) event.object.json = DecodeValue(e["prev_kv"], "value");
      } else {
        event.type = EtcdInt(kv, "version") == 1 ? EventType::kAdded : EventType::kModified;
        event.object.json = DecodeValue(kv, "value");
      }
      next_start_ = event.object.resource_version + 1;
      pending_.push_back(std::move(event));
    }
    changed_.notify_all();
    return !stopping_;
  }

  EtcdStore* const store_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  // All guarded by mu_.
  int64_t next_start_;
  std::deque<WatchEvent> pending_;
  std::optional<int64_t> compacted_;
  Status error_;
  bool stopping_ = false;
  bool finished_ = false;
  httplib::Client* client_ = nullptr;  // the request in flight, for stop()
};

Result<std::unique_ptr<EtcdStore>> EtcdStore::Open(const std::string& spec,
                                                   const std::string& prefix,
                                                   const EtcdStoreOptions& options) {
  Result<std::vector<EtcdEndpoint>> endpoints = ParseEtcdEndpoints(spec);
  if (!endpoints.ok()) return endpoints.status();
  std::unique_ptr<EtcdStore> store(new EtcdStore(std::move(*endpoints), prefix, options.timeouts));
  const auto wait =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.open_wait * LoadPerCore());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::chrono::milliseconds backoff(100);
  bool logged = false;
  while (true) {
    Result<int64_t> revision = store->CurrentRevision();
    if (revision.ok()) {
      if (logged) std::cerr << "etcd " << store->Describe() << ": answering\n";
      return store;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error("etcd " + store->Describe() + ": no answer within " +
                           std::to_string(wait.count()) + " ms: " + revision.status().message());
    }
    if (!logged) {
      // A cluster that is starting or electing a leader answers soon.
      std::cerr << "etcd " << store->Describe() << ": not answering yet ("
                << revision.status().message() << "); retrying for up to " << wait.count()
                << " ms\n";
      logged = true;
    }
    EtcdBackoff(deadline, &backoff);
  }
}

std::string EtcdStore::Describe() const {
  std::string out = "etcd://";
  for (size_t i = 0; i < gateway_.endpoints().size(); ++i) {
    if (i > 0) out += ',';
    out += gateway_.endpoints()[i].ToString();
  }
  return out;
}

std::string EtcdStore::KeyOf(const ObjectKey& key) const {
  return prefix_ + key.kind + "/" + key.namespace_name + "/" + key.name;
}

bool EtcdStore::ParseKey(const std::string& raw, ObjectKey* key) const {
  if (raw.rfind(prefix_, 0) != 0) return false;
  std::string rest = raw.substr(prefix_.size());
  size_t a = rest.find('/');
  if (a == std::string::npos) return false;
  size_t b = rest.find('/', a + 1);
  if (b == std::string::npos) return false;
  key->kind = rest.substr(0, a);
  key->namespace_name = rest.substr(a + 1, b - a - 1);
  key->name = rest.substr(b + 1);
  return true;
}

Result<int64_t> EtcdStore::CurrentRevision() {
  Result<json> reply =
      gateway_.Read("/v3/kv/range", {{"key", Base64Encode(prefix_)}, {"count_only", true}});
  if (!reply.ok()) return reply.status();
  return EtcdInt((*reply)["header"], "revision");
}

Result<EtcdStore::KeysRead> EtcdStore::ReadKeys(const std::vector<Mutation>& mutations) {
  json ranges = json::array();
  for (const Mutation& m : mutations) {
    ranges.push_back({{"request_range", {{"key", Base64Encode(KeyOf(m.key))}}}});
  }
  // A txn of ranges only writes nothing, so it may go to any member.
  Result<json> reply = gateway_.Read("/v3/kv/txn", {{"success", ranges}});
  if (!reply.ok()) return reply.status();
  KeysRead read;
  read.revision = EtcdInt((*reply)["header"], "revision");
  const json& responses = reply->contains("responses") ? (*reply)["responses"] : json::array();
  for (size_t i = 0; i < mutations.size(); ++i) {
    KeyState state;
    if (responses.is_array() && i < responses.size()) {
      const json& range = responses[i].value("response_range", json::object());
      auto kvs = range.find("kvs");
      if (kvs != range.end() && kvs->is_array() && !kvs->empty()) {
        state.mod_revision = EtcdInt((*kvs)[0], "mod_revision");
        state.value = DecodeValue((*kvs)[0], "value");
      }
    }
    read.keys.push_back(std::move(state));
  }
  return read;
}

json EtcdStore::Txn(const std::vector<Mutation>& mutations, const KeysRead& before) const {
  json compare = json::array();
  json success = json::array();
  for (size_t i = 0; i < mutations.size(); ++i) {
    const Mutation& m = mutations[i];
    std::string key = Base64Encode(KeyOf(m.key));
    // An absent key compares as mod_revision 0.
    compare.push_back({{"key", key},
                       {"target", "MOD"},
                       {"result", "EQUAL"},
                       {"mod_revision", std::to_string(before.keys[i].mod_revision)}});
    if (m.type == Mutation::Type::kDelete) {
      success.push_back({{"request_delete_range", {{"key", key}}}});
    } else {
      success.push_back({{"request_put", {{"key", key}, {"value", Base64Encode(m.json)}}}});
    }
  }
  return {{"compare", compare}, {"success", success}};
}

Result<CommitResult> EtcdStore::Commit(const std::vector<Mutation>& mutations) {
  CommitResult result;
  if (mutations.empty()) {
    Result<int64_t> revision = CurrentRevision();
    if (!revision.ok()) return revision.status();
    result.revision = *revision;
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + gateway_.timeouts().retry_for;
  std::chrono::milliseconds backoff(50);
  // The state the first txn that may have applied was built on; set once a
  // txn was sent without a definite answer.
  std::optional<KeysRead> sent_on;
  Status last;
  while (true) {
    Result<KeysRead> before = ReadKeys(mutations);
    if (!before.ok()) {
      if (!sent_on) return before.status();
      return Status::Error(std::string(kCommitOutcomeUnknown) + before.status().message());
    }
    bool changed = false;  // since sent_on
    bool holds = true;     // the keys are as the mutations leave them
    int64_t written_at = 0;
    for (size_t i = 0; i < mutations.size(); ++i) {
      const KeyState& now = before->keys[i];
      if (sent_on && sent_on->keys[i].mod_revision != now.mod_revision) changed = true;
      if (mutations[i].type == Mutation::Type::kDelete) {
        holds = holds && now.mod_revision == 0;
      } else {
        holds = holds && now.mod_revision != 0 && now.value == mutations[i].json;
        written_at = std::max(written_at, now.mod_revision);
      }
    }
    // Changed to what we wrote: our txn applied (or another writer wrote
    // the same, which leaves the same state). The old txn can no longer
    // apply, its compare failing.
    if (changed && holds) {
      result.revision = written_at > 0 ? written_at : before->revision;
      return result;
    }
    for (size_t i = 0; i < mutations.size(); ++i) {
      if (mutations[i].type != Mutation::Type::kDelete || before->keys[i].mod_revision != 0) {
        continue;
      }
      if (sent_on) {
        return Status::Error(std::string(kCommitOutcomeUnknown) + mutations[i].key.ToString() +
                             " was deleted while the commit was in doubt");
      }
      result.revision = before->revision;
      result.missing = mutations[i].key;
      return result;
    }
    EtcdFailure failure = EtcdFailure::kUnknown;
    Result<json> reply = gateway_.Write("/v3/kv/txn", Txn(mutations, *before), &failure);
    if (reply.ok()) {
      if (reply->value("succeeded", false)) {
        result.revision = EtcdInt((*reply)["header"], "revision");
        return result;
      }
      // A key changed since `before`: another writer, or our earlier txn
      // after all. Read again and decide.
      last = Status::Error("etcd /v3/kv/txn: the keys kept changing");
    } else {
      last = reply.status();
      if (failure == EtcdFailure::kRejected && !sent_on) return last;
      if (failure != EtcdFailure::kUnsent && !sent_on) sent_on = *before;
    }
    if (!EtcdBackoff(deadline, &backoff)) {
      if (!sent_on) return last;
      return Status::Error(std::string(kCommitOutcomeUnknown) + last.message());
    }
  }
}

Result<std::optional<StoredObject>> EtcdStore::Get(const ObjectKey& key) {
  Result<json> reply = gateway_.Read("/v3/kv/range", {{"key", Base64Encode(KeyOf(key))}});
  if (!reply.ok()) return reply.status();
  auto kvs = reply->find("kvs");
  if (kvs == reply->end() || !kvs->is_array() || kvs->empty()) {
    return std::optional<StoredObject>();
  }
  const json& kv = (*kvs)[0];
  return std::optional<StoredObject>(
      StoredObject{key, EtcdInt(kv, "mod_revision"), DecodeValue(kv, "value")});
}

Result<Snapshot> EtcdStore::List(const ListOptions& options) {
  std::string prefix = prefix_;
  if (!options.kind.empty()) {
    prefix += options.kind + "/";
    if (options.namespace_name) prefix += *options.namespace_name + "/";
  }
  Result<json> reply = gateway_.Read(
      "/v3/kv/range",
      {{"key", Base64Encode(prefix)}, {"range_end", Base64Encode(PrefixEnd(prefix))}});
  if (!reply.ok()) return reply.status();
  Snapshot snapshot;
  snapshot.revision = EtcdInt((*reply)["header"], "revision");
  auto kvs = reply->find("kvs");
  if (kvs == reply->end() || !kvs->is_array()) return snapshot;
  for (const json& kv : *kvs) {
    StoredObject object;
    if (!ParseKey(DecodeValue(kv, "key"), &object.key)) continue;
    if (options.namespace_name && object.key.namespace_name != *options.namespace_name) continue;
    object.resource_version = EtcdInt(kv, "mod_revision");
    object.json = DecodeValue(kv, "value");
    snapshot.objects.push_back(std::move(object));
  }
  // etcd orders by bytes ("a-b/" < "a/"); the Store contract orders by key.
  std::sort(snapshot.objects.begin(), snapshot.objects.end(),
            [](const StoredObject& a, const StoredObject& b) { return a.key < b.key; });
  return snapshot;
}

Result<std::unique_ptr<WatchStream>> EtcdStore::Watch(int64_t after_revision) {
  return std::unique_ptr<WatchStream>(new Stream(this, after_revision));
}

}  // namespace microseg
