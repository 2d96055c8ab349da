#include "agent/controller_source.h"

#include <charconv>

#include "ingest/manifest_loader.h"

namespace microseg {

namespace {

using Clock = std::chrono::steady_clock;

// metadata.resourceVersion of a served object or list ("12"); nullopt when
// absent or malformed.
std::optional<int64_t> RevisionOf(const Json& object) {
  if (!object.is_object() || !object.contains("metadata")) return std::nullopt;
  const Json& metadata = object["metadata"];
  if (!metadata.is_object() || !metadata.contains("resourceVersion")) return std::nullopt;
  const Json& v = metadata["resourceVersion"];
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string HostWorkloadManifest(const ControllerSourceOptions& options) {
  Json metadata{{"name", options.node}};
  if (!options.labels.empty()) metadata["labels"] = options.labels;
  Json doc{{"apiVersion", "microseg.io/v1alpha1"},
           {"kind", "Workload"},
           {"metadata", std::move(metadata)},
           {"spec", {{"host", options.node}, {"ips", options.ips}}}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ControllerSource::ControllerSource(ControllerSourceOptions options)
    : options_(std::move(options)), client_(options_.server, options_.token, options_.tls) {}

ControllerSource::~ControllerSource() { Stop(); }

void ControllerSource::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  watch_thread_ = std::thread([this] { WatchLoop(); });
  report_thread_ = std::thread([this] { ReportLoop(); });
}

void ControllerSource::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  canceller_.Cancel();
  if (watch_thread_.joinable()) watch_thread_.join();
  if (report_thread_.joinable()) report_thread_.join();
}

PolicySource ControllerSource::policy_source() {
  PolicySource s;
  s.changed = [this] { return Changed(); };
  s.load = [this] { return Load(); };
  s.take_deltas = [this] { return TakeDeltas(); };
  s.health = [this]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    if (!state_.span_stream || state_.watching || state_.last_error.empty()) return Status::Ok();
    return Status::Error(state_.last_error);
  };
  s.subscribe = [this](std::function<void()> wake) {
    std::lock_guard<std::mutex> lock(mu_);
    notify_ = std::move(wake);
  };
  return s;
}

void ControllerSource::Notify() {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake = notify_;
  }
  if (wake) wake();
}

std::vector<PolicyDelta> ControllerSource::TakeDeltas() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PolicyDelta> out;
  for (auto& [revision, group] : pending_) {
    if (revision <= state_.loaded_revision) continue;  // the last load had them
    for (PolicyDelta& d : group) out.push_back(std::move(d));
    state_.loaded_revision = revision;
  }
  pending_.clear();
  return out;
}

ControllerSource::State ControllerSource::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool ControllerSource::Changed() {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = dirty_;
  dirty_ = false;
  return changed;
}

void ControllerSource::NoteFailureLocked(const std::string& error) {
  state_.last_error = error;
  backoff_ =
      backoff_.count() == 0 ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
  next_attempt_ = Clock::now() + backoff_;
}

void ControllerSource::NoteSuccessLocked() {
  state_.last_error.clear();
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = {};
  cv_.notify_all();
}

Status ControllerSource::Register() {
  Result<Json> applied = client_.Apply({{"agent registration", HostWorkloadManifest(options_)}});
  if (!applied.ok()) {
    return Status::Error("registering host " + options_.node + ": " + applied.status().message());
  }
  std::lock_guard<std::mutex> lock(mu_);
  state_.registered = true;
  return Status::Ok();
}

Result<ObjectSet> ControllerSource::Load() {
  bool registered = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Within the backoff the controller is not asked again: the last
    // error stands, and the kernel keeps the last policy.
    if (Clock::now() < next_attempt_ && !state_.last_error.empty()) {
      return Status::Error(state_.last_error);
    }
    registered = state_.registered;
  }
  if (!options_.ips.empty() && !registered) {
    Status s = Register();
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      NoteFailureLocked(s.message());
      return s;
    }
  }
  Result<Json> span = client_.Span(options_.node);
  std::optional<int64_t> revision;
  Status s = span.status();
  if (s.ok()) {
    revision = RevisionOf(*span);
    if (!revision) s = Status::Error(client_.server() + ": span without a resourceVersion");
  }
  Result<LoadedManifests> decoded = Status::Error("not decoded");
  if (s.ok()) {
    // The same decoder as offline ingest: the agent compiles exactly what
    // `check` would, from the controller's canonical documents.
    decoded = ParseStoredDocument(*span, "span of node " + options_.node);
    s = decoded.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) {
    NoteFailureLocked(s.message());
    return s;
  }
  state_.loaded_revision = *revision;
  std::erase_if(pending_, [&](const auto& group) { return group.first <= *revision; });
  // Start the watch here the first time and after a 410. A revision below
  // the watch's means the controller's store went back (a new data
  // directory): watch from the new one from the next connection on.
  if (state_.watch_from < 0 || *revision < state_.watch_from) state_.watch_from = *revision;
  NoteSuccessLocked();
  return std::move(decoded->objects);
}

void ControllerSource::WatchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (state_.watch_from < 0) {  // wait for a load to say where to start
      cv_.wait(lock, [this] { return stopping_ || state_.watch_from >= 0; });
      continue;
    }
    if (Clock::now() < next_attempt_) {
      auto until = next_attempt_;
      cv_.wait_until(lock, until, [this] { return stopping_ || Clock::now() >= next_attempt_; });
      continue;
    }
    const int64_t from = state_.watch_from;
    const bool span_stream = state_.span_stream;
    lock.unlock();

    bool opened = false, compacted = false;
    std::string stream_error;
    int http_status = 0;
    ApiClient::WatchOptions watch;
    watch.canceller = &canceller_;
    watch.read_timeout = options_.watch_read_timeout;
    watch.http_status = &http_status;
    watch.on_open = [&] {
      opened = true;
      std::lock_guard<std::mutex> guard(mu_);
      state_.watching = true;
      NoteSuccessLocked();
      // A restarted controller has forgotten every status: send ours again.
      if (report_) report_pending_ = true;
      report_retry_at_ = {};
      cv_.notify_all();
    };
    bool started = false, legacy = false, decode_failed = false;
    std::vector<PolicyDelta> group;  // since the last bookmark
    Status s = client_.Watch(
        (span_stream ? "node=" + options_.node + "&" : std::string()) +
            "resourceVersion=" + std::to_string(from),
        [&](const Json& event) {
          std::string type = event.is_object() ? event.value("type", "") : "";
          if (span_stream && type != "ERROR") {
            if (!started && type != "BOOKMARK") {
              legacy = true;  // a plain watch: the controller ignored ?node=
              return false;
            }
            started = true;
            const Json& object = event.contains("object") ? event["object"] : Json();
            if (type == "BOOKMARK") {
              const int64_t revision = RevisionOf(object).value_or(-1);
              if (revision < 0) return true;
              {
                std::lock_guard<std::mutex> guard(mu_);
                if (revision > state_.watch_from) state_.watch_from = revision;
                if (group.empty()) {
                  // Nothing of the span changed up to `revision`: an agent
                  // that applied everything is current at it.
                  if (pending_.empty() && state_.applied_revision == state_.loaded_revision &&
                      state_.loaded_revision > 0 && revision > state_.loaded_revision) {
                    state_.loaded_revision = state_.applied_revision = revision;
                    if (report_) (*report_)["resourceVersion"] = std::to_string(revision);
                  }
                  return !stopping_;
                }
                if (revision > state_.loaded_revision) {
                  pending_.emplace_back(revision, std::move(group));
                  ++state_.delta_groups;
                }
                group.clear();
              }
              Notify();
              return !stopping_;
            }
            PolicyDelta d;
            d.deleted = type == "DELETED";
            if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
              const Json& md = object["metadata"];
              d.kind = object.value("kind", "");
              d.name = md.value("name", "");
              d.namespace_name = md.value("namespace", "");
            }
            if (!d.deleted) {
              Result<LoadedManifests> decoded =
                  ParseStoredDocument(object, "span stream of node " + options_.node);
              if (!decoded.ok()) {
                decode_failed = true;
                stream_error = decoded.status().message();
                return false;
              }
              d.object = std::move(decoded->objects);
            }
            group.push_back(std::move(d));
            return true;
          }
          if (type == "ERROR") {
            const Json& object = event.contains("object") ? event["object"] : Json();
            int code = object.is_object() ? object.value("code", 0) : 0;
            if (code == 410) {
              compacted = true;
            } else {
              stream_error =
                  object.is_object() ? object.value("error", "watch failed") : "watch failed";
            }
            return false;
          }
          int64_t revision = -1;
          if (event.is_object() && event.contains("object")) {
            revision = RevisionOf(event["object"]).value_or(-1);
          }
          {
            std::lock_guard<std::mutex> guard(mu_);
            if (revision > state_.watch_from) state_.watch_from = revision;
            dirty_ = true;
            if (stopping_) return false;
          }
          Notify();
          return true;
        },
        watch);

    lock.lock();
    state_.watching = false;
    if (stopping_) break;
    if (span_stream && (legacy || http_status == 404)) {
      // No span streams here: every change is a full load from now on.
      state_.span_stream = false;
      dirty_ = true;
      lock.unlock();
      Notify();
      lock.lock();
      continue;
    }
    if (decode_failed) {
      // Cannot apply what the controller sent: start over from a load.
      NoteFailureLocked(stream_error);
      state_.watch_from = -1;
      dirty_ = true;
      continue;
    }
    if (http_status == 410 || compacted) {
      // The history after `from` is gone: only a fresh span is complete.
      state_.watch_from = -1;
      ++state_.relists;
      dirty_ = true;
      lock.unlock();
      Notify();
      lock.lock();
    } else if (!opened) {
      ++state_.watch_failures;
      NoteFailureLocked(s.ok() ? client_.server() + ": watch ended before it started"
                               : s.message());
      // Legacy: the agent tries a load, fails, and reports it. A span
      // stream reports through health() and resumes where it was.
      if (!span_stream) dirty_ = true;
    } else if (!s.ok() || !stream_error.empty()) {
      NoteFailureLocked(stream_error.empty() ? s.message() : stream_error);
    } else {
      // The server ended the stream (it is stopping): do not spin, but do
      // not hold loads back either; nothing failed.
      cv_.wait_for(lock, options_.min_backoff, [this] { return stopping_; });
    }
  }
}

Status ControllerSource::SendReport(const Json& body) {
  return client_.ReportAgentStatus(options_.node, body);
}

void ControllerSource::Report(const Status& sync, const Agent::Snapshot& snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sync.ok()) state_.applied_revision = state_.loaded_revision;
  report_ = Json{{"resourceVersion", std::to_string(state_.applied_revision)},
                 {"planElements", snapshot.plan_elements},
                 {"lastError", snapshot.last_error},
                 {"syncs", snapshot.syncs},
                 {"failures", snapshot.failures}};
  report_pending_ = true;
  report_retry_at_ = {};  // a new report goes now, whatever the backoff
  cv_.notify_all();
}

Status ControllerSource::FlushReport() {
  Json body;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!report_) return Status::Error("no sync to report yet");
    body = *report_;
  }
  Status s = SendReport(body);
  std::lock_guard<std::mutex> lock(mu_);
  if (s.ok()) {
    ++state_.reports_sent;
    if (report_ == body) report_pending_ = false;
  }
  return s;
}

void ControllerSource::ReportLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto heartbeat = Clock::now() + options_.report_interval;
  std::chrono::milliseconds backoff{0};
  while (!stopping_) {
    auto now = Clock::now();
    if (now >= heartbeat) {
      heartbeat = now + options_.report_interval;
      if (report_) report_pending_ = true;
    }
    if (report_pending_ && report_ && now >= report_retry_at_) {
      Json body = *report_;
      report_pending_ = false;
      lock.unlock();
      Status s = SendReport(body);
      lock.lock();
      if (s.ok()) {
        ++state_.reports_sent;
        heartbeat = Clock::now() + options_.report_interval;
        backoff = std::chrono::milliseconds(0);
      } else {
        // Resent after a backoff, or at once on a new report or reconnect.
        report_pending_ = true;
        backoff = backoff.count() == 0 ? options_.min_backoff
                                       : std::min(backoff * 2, options_.max_backoff);
        report_retry_at_ = Clock::now() + backoff;
      }
      continue;
    }
    auto wake = report_pending_ ? std::min(heartbeat, report_retry_at_) : heartbeat;
    cv_.wait_until(lock, wake, [&] {
      return stopping_ || (report_pending_ && Clock::now() >= report_retry_at_);
    });
  }
}

}  // namespace microseg
