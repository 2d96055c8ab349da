// ControllerSource: the agent's policy from a controller (docs/CONTROLLER.md,
// "Agents").
//
//   Agent::Run:    changed() -> load() = GET /api/v1/span?node=NODE (at R)
//   watch thread:  GET /api/v1/watch?node=NODE&resourceVersion=R
//                  -> span deltas, grouped up to each BOOKMARK
//   Agent::Run:    take_deltas() -> Agent::SyncDeltas
//   status thread: POST /api/v1/agents/NODE/status      <- Report()
//
// The span stream carries the objects that enter, change in or leave the
// node's span; they are decoded on the watch thread and queued per
// bookmark, so the agent applies whole revisions, and the agent is woken
// (subscribe) when a group is queued. Groups at or below the revision of
// the last load are dropped (the load had them). The stream resumes from
// the last bookmark; a 410 (the controller no longer has that history,
// e.g. it restarted) marks the source changed, so the agent loads the
// span again and the stream restarts from its revision.
//
// A controller that does not serve span streams (404 for ?node=, or a
// stream that does not start with a bookmark) is watched as before: the
// plain watch only says *that* something changed and every change is a
// full load.
//
// While the controller is unreachable, load fails (the Agent then applies
// nothing, so the kernel keeps the last policy), and both load and the
// watch retry with a backoff doubling from min_backoff to max_backoff;
// the first success resets it. A failed watch connection marks the source
// changed, so that the agent tries a load and reports the failure.
//
// Host registration: with `ips`, load first applies the Workload NODE
// {labels, ips, host: NODE} (once per process; an unchanged apply writes
// nothing), which makes the host a local endpoint of its own span.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "controller/client/api_client.h"

namespace microseg {

struct ControllerSourceOptions {
  std::string server;  // "http://HOST:PORT"
  std::string token;   // admin bearer token; "" with a client certificate (tls)
  ClientTls tls;       // https: the CA to trust, and the agent's certificate
  std::string node;                           // required
  std::vector<std::string> ips;               // registers the host as a Workload when set
  std::map<std::string, std::string> labels;  // the Workload's labels
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
  // Status is sent after each sync, after a reconnect, and at least this
  // often (the controller keeps it in memory only).
  std::chrono::milliseconds report_interval{30000};
  // The server sends a keepalive after 5 s idle: silence this long is a
  // dead connection.
  std::chrono::seconds watch_read_timeout{30};
};

// The Workload manifest (JSON) that registers `options`' host.
std::string HostWorkloadManifest(const ControllerSourceOptions& options);

class ControllerSource {
 public:
  explicit ControllerSource(ControllerSourceOptions options);
  ~ControllerSource();  // Stop()
  ControllerSource(const ControllerSource&) = delete;
  ControllerSource& operator=(const ControllerSource&) = delete;

  // Starts the watch and status threads. Stop() ends them and is
  // idempotent; an open watch is cancelled by shutting its socket (one
  // still connecting ends at the server's next keepalive, within 5 s).
  void Start();
  void Stop();

  // changed/load for Agent; they call into this object, which must outlive
  // the Agent's use of them.
  PolicySource policy_source();

  // Records one sync's outcome for the controller; the status thread sends
  // it, so this never blocks on the network. Meant for Agent::set_on_sync.
  void Report(const Status& sync, const Agent::Snapshot& snapshot);
  // Sends the last report now, on this thread (for `agent --once`).
  Status FlushReport();

  struct State {
    bool watching = false;         // a watch is open
    int64_t watch_from = -1;       // where the watch (re)starts; -1 waits for a load
    int64_t loaded_revision = 0;   // of the last span loaded
    int64_t applied_revision = 0;  // of the last span the agent applied
    uint64_t watch_failures = 0;   // failed watch connections
    uint64_t relists = 0;          // 410s: watch restarted from a fresh load
    bool span_stream = true;       // false: the controller has none; full loads
    uint64_t delta_groups = 0;     // bookmarks with deltas queued
    uint64_t reports_sent = 0;
    bool registered = false;
    std::string last_error;  // of the last request to the controller; "" after success
  };
  State state() const;

 private:
  bool Changed();
  Result<ObjectSet> Load();
  std::vector<PolicyDelta> TakeDeltas();
  void Notify();
  Status Register();
  void WatchLoop();
  void ReportLoop();
  Status SendReport(const Json& body);
  // Backoff shared by load and the watch; callers hold mu_.
  void NoteFailureLocked(const std::string& error);
  void NoteSuccessLocked();

  const ControllerSourceOptions options_;
  const ApiClient client_;
  WatchCanceller canceller_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false, stopping_ = false;
  bool dirty_ = true;  // the first changed() is true
  State state_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  // Span deltas by bookmark revision, oldest first.
  std::vector<std::pair<int64_t, std::vector<PolicyDelta>>> pending_;
  std::function<void()> notify_;  // wakes the agent
  std::optional<Json> report_;  // the last report, to send (again)
  bool report_pending_ = false;
  std::chrono::steady_clock::time_point report_retry_at_{};  // after a failed send
  std::thread watch_thread_, report_thread_;
};

}  // namespace microseg
