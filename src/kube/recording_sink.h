// RecordingSink: an in-memory ObjectSink that keeps the current objects and
// a log of every call, for tests and dry runs.
//
// Thread-safe. WaitFor lets a test block (with a deadline) until the sink
// reaches a state, instead of sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kube/object_sink.h"

namespace microseg::kube {

class RecordingSink : public ObjectSink {
 public:
  Status Apply(const SyncedObject& object) override;
  Status Delete(const ObjectKey& key) override;
  Status Resync(const std::string& kind, const std::vector<ObjectKey>& present) override;

  // Calls fail with this message while it is non-empty (to test retries).
  void FailWith(std::string message);

  // One line per call: "apply Pod shop/web", "delete Pod shop/web",
  // "resync Pod 3".
  std::vector<std::string> Log() const;
  // Log lines after the first `from`.
  std::vector<std::string> LogSince(size_t from) const;
  // Current objects: key -> JSON.
  std::map<ObjectKey, std::string> Objects() const;

  // Waits until `done(Objects(), Log())` is true or `timeout` passes;
  // returns whether it became true.
  using Predicate = std::function<bool(const std::map<ObjectKey, std::string>& objects,
                                       const std::vector<std::string>& log)>;
  bool WaitFor(const Predicate& done, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<ObjectKey, std::string> objects_;  // guarded by mu_
  std::vector<std::string> log_;              // guarded by mu_
  std::string fail_with_;                     // guarded by mu_
};

}  // namespace microseg::kube
