// Reflector: mirrors one Kubernetes resource into an ObjectSink.
//
// The client-go protocol over plain HTTP: list in pages (limit/continue),
// then watch from the list's resourceVersion with bookmarks, forwarding
// each event to the sink as soon as its line is decoded (no batching).
//   - a watch that ends (timeoutSeconds) is reopened from the last
//     resourceVersion seen (events and bookmarks), at once;
//   - a broken connection, HTTP error or ERROR event is retried from the
//     same resourceVersion after a backoff (kube/backoff.h);
//   - 410 Gone (an HTTP status or an ERROR event) relists, and the list is
//     diffed against the local cache, so objects deleted during the gap are
//     deleted from the sink too;
//   - a sink error relists after a backoff (everything not yet accepted is
//     offered again).
// The cache holds, per key, the slim JSON the sink last accepted; events
// that leave it unchanged (pod status heartbeats) are not forwarded.
// Objects the decoder rejects are logged and skipped (the sink keeps its
// last good version).
//
// Run() blocks until `stop` is requested; Interrupt() (any thread) aborts a
// request in flight so that Run() notices promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kube/api_client.h"
#include "kube/backoff.h"
#include "kube/object_sink.h"
#include "kube/resources.h"
#include "kube/stop_signal.h"
#include "kube/wire.h"

namespace microseg::kube {

using Logger = std::function<void(std::string_view message)>;

struct ReflectorOptions {
  int page_size = 500;                      // ?limit= of list requests
  std::chrono::seconds watch_timeout{300};  // ?timeoutSeconds= of watches
  std::chrono::seconds list_timeout{60};    // read timeout of list requests
  BackoffOptions backoff;
};

class Reflector {
 public:
  // `sink` and `stop` must outlive the reflector; `log` may be empty.
  Reflector(const Resource& resource, std::unique_ptr<ApiClient> client, ObjectSink* sink,
            const StopSignal* stop, ReflectorOptions options, uint64_t seed, Logger log);

  void Run();
  void Interrupt() { client_->Interrupt(); }
  bool done() const { return done_.load(); }

 private:
  enum class WatchOutcome { kEnded, kExpired, kFailed, kSinkFailed, kStopped };

  Status ListAndSync();
  WatchOutcome WatchOnce(bool* progressed);
  // Forwards an object from a list or an ADDED/MODIFIED event, when new or
  // changed and valid. Returns the sink's error only; *key is set when the
  // object has a key.
  Status Offer(const nlohmann::json& object, ObjectKey* key);
  Status Remove(const nlohmann::json& object);
  void Log(const std::string& message) const;

  const Resource& resource_;
  std::unique_ptr<ApiClient> client_;
  ObjectSink* sink_;
  const StopSignal* stop_;
  ReflectorOptions options_;
  Backoff backoff_;
  Logger log_;

  std::map<ObjectKey, std::string> cache_;  // key -> slim JSON the sink accepted
  std::string resource_version_;
  bool resynced_ = false;  // Resync sent after the first complete list
  std::atomic<bool> done_{false};
};

}  // namespace microseg::kube
