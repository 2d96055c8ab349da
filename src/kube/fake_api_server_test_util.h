// FakeApiServer: a Kubernetes API server stand-in for tests, speaking the
// real wire format over HTTP(S) on 127.0.0.1 (port 0).
//
// It keeps objects per collection path with a global resourceVersion and
// an event history, and serves
//   GET PATH?limit=N[&continue=T]                      paginated lists
//   GET PATH?watch=1&resourceVersion=R&timeoutSeconds=S chunked watch events
// Requests without "Authorization: Bearer <token>" get 401. Faults are
// injected by the test: Compact() (watches from older versions get 410, as
// an ERROR event or, with http_410 set, an HTTP 410), Bookmark(),
// EndWatches() (clean end, like timeoutSeconds), DropWatches() (connection
// cut mid-stream), PauseWatches()/ResumeWatches() (hold events back, to
// make a gap). Thread-safe; the destructor ends every stream and joins.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace microseg::kube::testing {

using nlohmann::json;

class FakeApiServer {
 public:
  struct Options {
    std::string token = "secret-token";
    bool http_410 = false;  // old resourceVersion on watch: HTTP 410 instead of an ERROR event
    bool expire_first_continue = false;  // the first continue token gets 410 Expired
  };

  // Plain HTTP.
  explicit FakeApiServer(Options options)
      : FakeApiServer(std::make_unique<httplib::Server>(), options) {}
  // Any server, e.g. an httplib::SSLServer.
  FakeApiServer(std::unique_ptr<httplib::Server> server, Options options)
      : options_(std::move(options)), server_(std::move(server)) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(24); };
    server_->set_keep_alive_max_count(1);
    server_->Get(".*",
                 [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the listen loop runs.
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ~FakeApiServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }

  void SetToken(std::string token) {
    std::lock_guard lock(mu_);
    options_.token = std::move(token);
  }

  // Creates or replaces `object` in collection `path`; returns its version.
  int64_t Put(const std::string& path, json object) {
    std::lock_guard lock(mu_);
    std::string key = KeyOf(object);
    bool exists = objects_[path].contains(key);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    objects_[path][key] = object;
    history_.push_back({version_, path, exists ? "MODIFIED" : "ADDED", object});
    cv_.notify_all();
    return version_;
  }

  int64_t Remove(const std::string& path, const std::string& ns, const std::string& name) {
    std::lock_guard lock(mu_);
    std::string key = ns + "/" + name;
    auto it = objects_[path].find(key);
    if (it == objects_[path].end()) return version_;
    json object = it->second;
    objects_[path].erase(it);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    history_.push_back({version_, path, "DELETED", object});
    cv_.notify_all();
    return version_;
  }

  // Forgets history up to now: watches from an older version get 410.
  void Compact() {
    std::lock_guard lock(mu_);
    compacted_ = version_;
    cv_.notify_all();
  }
  // Every open watch gets a BOOKMARK at the current version.
  int64_t Bookmark() {
    std::lock_guard lock(mu_);
    ++bookmarks_;
    cv_.notify_all();
    return version_;
  }
  void EndWatches() { Bump(&ends_); }
  void DropWatches() { Bump(&drops_); }
  void PauseWatches() {
    std::lock_guard lock(mu_);
    paused_ = true;
  }
  void ResumeWatches() {
    std::lock_guard lock(mu_);
    paused_ = false;
    cv_.notify_all();
  }

  // "list /api/v1/pods limit=2 continue=", "watch /api/v1/pods rv=7",
  // "denied /api/v1/pods": one line per request, in arrival order.
  std::vector<std::string> Requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Waits up to `timeout` until `count` request lines equal `line`.
  bool WaitForRequest(const std::string& line, std::chrono::milliseconds timeout,
                      long count = 1) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      return std::count(requests_.begin(), requests_.end(), line) >= count;
    });
  }

 private:
  struct Event {
    int64_t version;
    std::string path;
    std::string type;
    json object;
  };

  static std::string KeyOf(const json& object) {
    const json& meta = object.at("metadata");
    return meta.value("namespace", "") + "/" + meta.value("name", "");
  }

  static std::string Line(const json& event) { return event.dump() + "\n"; }

  static json StatusObject(int code, const std::string& reason, const std::string& message) {
    return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
            {"code", code},     {"reason", reason},   {"message", message}};
  }

  void Bump(int* counter) {
    std::lock_guard lock(mu_);
    ++*counter;
    cv_.notify_all();
  }

  void Record(std::string line) {
    requests_.push_back(std::move(line));
    cv_.notify_all();
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mu_);
    if (req.get_header_value("Authorization") != "Bearer " + options_.token) {
      Record("denied " + req.path);
      res.status = 401;
      res.set_content(StatusObject(401, "Unauthorized", "Unauthorized").dump(), "application/json");
      return;
    }
    if (!objects_.contains(req.path)) objects_[req.path];  // every path is a collection
    if (req.get_param_value("watch") == "1") return Watch(req, res, std::move(lock));
    List(req, res);
  }

  void List(const httplib::Request& req, httplib::Response& res) {
    std::string token = req.get_param_value("continue");
    Record("list " + req.path + " limit=" + req.get_param_value("limit") + " continue=" + token);
    size_t limit =
        std::stoul(req.get_param_value("limit").empty() ? "0" : req.get_param_value("limit"));
    size_t offset = 0;
    int64_t version = version_;
    if (!token.empty()) {  // "VERSION:OFFSET"
      version = std::stoll(token.substr(0, token.find(':')));
      offset = std::stoul(token.substr(token.find(':') + 1));
      if (version < compacted_ || options_.expire_first_continue) {
        options_.expire_first_continue = false;
        res.status = 410;
        res.set_content(StatusObject(410, "Expired", "continue token expired").dump(),
                        "application/json");
        return;
      }
    }
    const auto& all = objects_[req.path];
    json items = json::array();
    size_t index = 0;
    for (const auto& [key, object] : all) {
      if (index++ < offset) continue;
      if (limit != 0 && items.size() == limit) break;
      json item = object;  // list items carry no apiVersion/kind
      item.erase("apiVersion");
      item.erase("kind");
      items.push_back(std::move(item));
    }
    json meta = {{"resourceVersion", std::to_string(version)}};
    if (offset + items.size() < all.size()) {
      meta["continue"] = std::to_string(version) + ":" + std::to_string(offset + items.size());
    }
    res.set_content(
        json{{"kind", "List"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}}.dump(),
        "application/json");
  }

  void Watch(const httplib::Request& req, httplib::Response& res,
             std::unique_lock<std::mutex> lock) {
    std::string rv_text = req.get_param_value("resourceVersion");
    Record("watch " + req.path + " rv=" + rv_text);
    int64_t from = rv_text.empty() ? version_ : std::stoll(rv_text);
    if (from < compacted_ && options_.http_410) {
      res.status = 410;
      res.set_content(StatusObject(410, "Expired", "too old resource version").dump(),
                      "application/json");
      return;
    }
    int timeout = std::stoi(req.get_param_value("timeoutSeconds").empty()
                                ? "60"
                                : req.get_param_value("timeoutSeconds"));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    auto state =
        std::make_shared<WatchState>(WatchState{req.path, from, bookmarks_, ends_, drops_});
    lock.unlock();
    res.set_chunked_content_provider("application/json",
                                     [this, state, deadline](size_t, httplib::DataSink& sink) {
                                       return Pump(*state, deadline, sink);
                                     });
  }

  struct WatchState {
    std::string path;
    int64_t position;
    int bookmarks, ends, drops;
  };

  // Writes whatever the watch has to say; false cuts the connection.
  bool Pump(WatchState& w, std::chrono::steady_clock::time_point deadline,
            httplib::DataSink& sink) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
      if (stopping_ || w.drops != drops_ || w.ends != ends_) return true;
      if (paused_) return false;
      if (w.position < compacted_ || w.bookmarks != bookmarks_) return true;
      return std::any_of(history_.begin(), history_.end(), [&](const Event& e) {
        return e.version > w.position && e.path == w.path;
      });
    });
    if (stopping_ || w.drops != drops_) return false;
    if (!paused_) {
      if (w.position < compacted_) {
        sink.os << Line({{"type", "ERROR"},
                         {"object", StatusObject(410, "Expired", "too old resource version")}});
        sink.done();
        return true;
      }
      for (const Event& e : history_) {
        if (e.version <= w.position || e.path != w.path) continue;
        sink.os << Line({{"type", e.type}, {"object", e.object}});
        w.position = e.version;
      }
      if (w.bookmarks != bookmarks_) {
        w.bookmarks = bookmarks_;
        w.position = version_;
        sink.os << Line({{"type", "BOOKMARK"},
                         {"object",
                          {{"kind", "Bookmark"},
                           {"metadata", {{"resourceVersion", std::to_string(version_)}}}}}});
      }
    }
    if (w.ends != ends_ || std::chrono::steady_clock::now() > deadline) sink.done();
    return true;
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Options options_;
  std::map<std::string, std::map<std::string, json>> objects_;  // path -> "ns/name" -> object
  std::vector<Event> history_;
  std::vector<std::string> requests_;
  int64_t version_ = 100;
  int64_t compacted_ = 0;
  int bookmarks_ = 0, ends_ = 0, drops_ = 0;
  bool paused_ = false;
  bool stopping_ = false;

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace microseg::kube::testing
