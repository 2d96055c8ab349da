#include "controller/store/etcd_store.h"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
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
                                                   const std::string& prefix) {
  Result<std::vector<EtcdEndpoint>> endpoints = ParseEtcdEndpoints(spec);
  if (!endpoints.ok()) return endpoints.status();
  std::unique_ptr<EtcdStore> store(new EtcdStore(std::move(*endpoints), prefix));
  Result<int64_t> revision = store->CurrentRevision();
  if (!revision.ok()) return revision.status();
  return store;
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
      gateway_.Call("/v3/kv/range", {{"key", Base64Encode(prefix_)}, {"count_only", true}});
  if (!reply.ok()) return reply.status();
  return EtcdInt((*reply)["header"], "revision");
}

Result<CommitResult> EtcdStore::Commit(const std::vector<Mutation>& mutations) {
  CommitResult result;
  if (mutations.empty()) {
    Result<int64_t> revision = CurrentRevision();
    if (!revision.ok()) return revision.status();
    result.revision = *revision;
    return result;
  }
  json compare = json::array();
  json success = json::array();
  for (const Mutation& m : mutations) {
    std::string key = Base64Encode(KeyOf(m.key));
    if (m.type == Mutation::Type::kDelete) {
      compare.push_back(
          {{"key", key}, {"target", "VERSION"}, {"result", "GREATER"}, {"version", "0"}});
      success.push_back({{"request_delete_range", {{"key", key}}}});
    } else {
      success.push_back({{"request_put", {{"key", key}, {"value", Base64Encode(m.json)}}}});
    }
  }
  Result<json> reply = gateway_.Call("/v3/kv/txn", {{"compare", compare}, {"success", success}});
  if (!reply.ok()) return reply.status();
  result.revision = EtcdInt((*reply)["header"], "revision");
  if (reply->value("succeeded", false)) return result;
  // A delete's key was missing: name the first one.
  for (const Mutation& m : mutations) {
    if (m.type != Mutation::Type::kDelete) continue;
    Result<std::optional<StoredObject>> existing = Get(m.key);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      result.missing = m.key;
      return result;
    }
  }
  // Deleted and recreated by someone else in between; report the first.
  for (const Mutation& m : mutations) {
    if (m.type == Mutation::Type::kDelete) {
      result.missing = m.key;
      break;
    }
  }
  return result;
}

Result<std::optional<StoredObject>> EtcdStore::Get(const ObjectKey& key) {
  Result<json> reply = gateway_.Call("/v3/kv/range", {{"key", Base64Encode(KeyOf(key))}});
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
  Result<json> reply = gateway_.Call(
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
