#include "controller/http/watch_handler.h"

#include <chrono>
#include <memory>

#include "controller/api/api_kinds.h"
#include "controller/http/http_reply.h"
#include "controller/http/span_computer.h"

namespace microseg {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPoll = std::chrono::milliseconds(200);  // bounds stop latency
constexpr auto kKeepalive = std::chrono::seconds(5);
constexpr auto kIdleBookmark = std::chrono::seconds(1);

std::string CompactedMessage(int64_t requested, int64_t oldest) {
  return "resourceVersion " + std::to_string(requested) + " is too old: history before " +
         std::to_string(oldest + 1) +
         " was compacted; list again and watch from the list's resourceVersion";
}

struct WatchState {
  std::unique_ptr<WatchStream> stream;
  ListOptions filter;
  int64_t requested = 0;
  std::string pending;  // lines not yet written
  Clock::time_point last_write = Clock::now();

  bool Matches(const ObjectKey& key) const {
    if (!filter.kind.empty() && key.kind != filter.kind) return false;
    if (filter.namespace_name && key.namespace_name != *filter.namespace_name) return false;
    return true;
  }
  void Add(const std::vector<WatchEvent>& events) {
    for (const WatchEvent& event : events) {
      if (Matches(event.object.key)) pending += RenderEvent(event) + "\n";
    }
  }
  void AddError(int code, const std::string& message) {
    pending +=
        DumpJson(Json{{"type", "ERROR"}, {"object", {{"code", code}, {"error", message}}}}) + "\n";
  }
};

std::string RenderDelta(const SpanComputer::Delta& d) {
  if (!d.deleted) return RenderEvent({EventType::kModified, d.object});
  Json metadata{{"name", d.object.key.name},
                {"resourceVersion", std::to_string(d.revision)}};
  if (!d.object.key.namespace_name.empty()) metadata["namespace"] = d.object.key.namespace_name;
  return DumpJson(Json{{"type", "DELETED"},
                       {"object", {{"kind", d.object.key.kind}, {"metadata", std::move(metadata)}}}});
}

std::string RenderBookmark(int64_t revision) {
  return DumpJson(Json{{"type", "BOOKMARK"},
                       {"object", {{"metadata", {{"resourceVersion", std::to_string(revision)}}}}}});
}

void HandleSpanWatch(Store* store, const std::atomic<bool>* stopping, SpanComputer* spans,
                     const httplib::Request& req, httplib::Response& res) {
  const std::string node = req.get_param_value("node");
  if (!IsValidObjectName(node)) return ReplyError(res, 400, "invalid node name " + Quote(node));
  std::optional<int64_t> from;
  if (!ReadRevisionParam(req, "resourceVersion", &from) || !from) {
    return ReplyError(res, 400,
                      "resourceVersion: a span stream starts at the revision of GET /api/v1/span");
  }
  if (spans == nullptr) return ReplyError(res, 404, "span streams are not served here");
  Result<SpanComputer::Batch> first = spans->Next(store, node, *from, std::chrono::milliseconds(0));
  if (!first.ok()) return ReplyError(res, 503, first.status().message());
  if (first->gone) return ReplyError(res, 410, first->gone_reason);
  struct StreamState {
    int64_t after = 0;
    int64_t bookmarked = -1;
    std::string pending;
    Clock::time_point last_write = Clock::now(), last_bookmark{};
  };
  auto state = std::make_shared<StreamState>();
  state->after = *from;
  auto add = [state](const SpanComputer::Batch& batch) {
    for (const SpanComputer::Delta& d : batch.deltas) state->pending += RenderDelta(d) + "\n";
    state->after = batch.revision;
    // After deltas at once; when only the revision moved, at most once a
    // second (a busy cluster would otherwise bookmark every write).
    if (!batch.deltas.empty() || state->bookmarked < 0 ||
        (batch.revision != state->bookmarked && Clock::now() - state->last_bookmark > kIdleBookmark)) {
      state->pending += RenderBookmark(batch.revision) + "\n";
      state->bookmarked = batch.revision;
      state->last_bookmark = Clock::now();
    }
  };
  add(*first);
  res.set_chunked_content_provider(
      "application/x-ndjson",
      [state, stopping, spans, store, node, add](size_t, httplib::DataSink& sink) {
        if (!state->pending.empty()) {
          if (!sink.write(state->pending.data(), state->pending.size())) return false;
          state->pending.clear();
          state->last_write = Clock::now();
        }
        if (stopping->load()) {
          sink.done();
          return true;
        }
        Result<SpanComputer::Batch> batch = spans->Next(store, node, state->after, kPoll);
        std::string error;
        int code = 0;
        if (!batch.ok()) {
          code = 503;
          error = batch.status().message();
        } else if (batch->gone) {
          code = 410;
          error = batch->gone_reason;
        } else {
          add(*batch);
          if (state->pending.empty() && Clock::now() - state->last_write > kKeepalive) {
            state->pending = "\n";
          }
          return true;
        }
        std::string line =
            DumpJson(Json{{"type", "ERROR"}, {"object", {{"code", code}, {"error", error}}}}) + "\n";
        sink.write(line.data(), line.size());
        sink.done();
        return true;
      });
}

}  // namespace

void HandleWatch(Store* store, const std::atomic<bool>* stopping, SpanComputer* spans,
                 const httplib::Request& req, httplib::Response& res) {
  if (req.has_param("node")) return HandleSpanWatch(store, stopping, spans, req, res);
  auto state = std::make_shared<WatchState>();
  std::optional<int64_t> from;
  if (!ReadRevisionParam(req, "resourceVersion", &from)) {
    return ReplyError(res, 400,
                      "resourceVersion: expected a non-negative integer, got " +
                          Quote(req.get_param_value("resourceVersion")));
  }
  if (req.has_param("kind") && !req.get_param_value("kind").empty()) {
    const ApiKind* kind = ResolveKind(req.get_param_value("kind"));
    if (kind == nullptr) {
      return ReplyError(res, 404,
                        "unknown kind " + Quote(req.get_param_value("kind")) +
                            " (supported: " + KindList() + ")");
    }
    state->filter.kind = std::string(kind->kind);
  }
  if (req.has_param("namespace") && !req.get_param_value("namespace").empty()) {
    std::string ns = req.get_param_value("namespace");
    if (!IsValidObjectName(ns)) return ReplyError(res, 400, "invalid namespace " + Quote(ns));
    state->filter.namespace_name = ns;
  }

  int64_t after = 0;
  if (from) {
    after = *from;
  } else {
    Result<Snapshot> snapshot = store->List(state->filter);
    if (!snapshot.ok()) return ReplyError(res, 503, snapshot.status().message());
    after = snapshot->revision;
    std::vector<WatchEvent> initial;
    for (StoredObject& object : snapshot->objects) {
      initial.push_back({EventType::kAdded, std::move(object)});
    }
    state->Add(initial);
  }
  state->requested = after;
  Result<std::unique_ptr<WatchStream>> stream = store->Watch(after);
  if (!stream.ok()) return ReplyError(res, 503, stream.status().message());
  state->stream = std::move(*stream);
  // Compaction known now (always for SQLite) is a 410 rather than a stream.
  Result<WatchBatch> first = state->stream->Next(std::chrono::milliseconds(0));
  if (!first.ok()) return ReplyError(res, 503, first.status().message());
  if (first->compacted) return ReplyError(res, 410, CompactedMessage(after, *first->compacted));
  state->Add(first->events);

  res.set_chunked_content_provider(
      "application/x-ndjson", [state, stopping](size_t, httplib::DataSink& sink) {
        if (!state->pending.empty()) {
          if (!sink.write(state->pending.data(), state->pending.size())) return false;
          state->pending.clear();
          state->last_write = Clock::now();
        }
        if (stopping->load()) {
          sink.done();
          return true;
        }
        Result<WatchBatch> batch = state->stream->Next(kPoll);
        if (!batch.ok()) {
          state->AddError(503, batch.status().message());
        } else if (batch->compacted) {
          state->AddError(410, CompactedMessage(state->requested, *batch->compacted));
        } else {
          state->Add(batch->events);
          if (state->pending.empty() && Clock::now() - state->last_write > kKeepalive) {
            state->pending = "\n";
          }
          return true;
        }
        sink.write(state->pending.data(), state->pending.size());
        sink.done();
        return true;
      });
}

}  // namespace microseg
