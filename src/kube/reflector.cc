#include "kube/reflector.h"

#include <set>

#include "ingest/json_text.h"
#include "ingest/manifest_loader.h"
#include "kube/slim.h"

namespace microseg::kube {

namespace {

std::string DescribeReply(const HttpReply& reply) {
  nlohmann::json body = ParseUntrustedJson(reply.body);
  ApiStatus status = ParseApiStatus(body);
  std::string text = "HTTP " + std::to_string(reply.status);
  if (!status.message.empty()) text += ": " + status.message;
  return text;
}

}  // namespace

Reflector::Reflector(const Resource& resource, std::unique_ptr<ApiClient> client, ObjectSink* sink,
                     const StopSignal* stop, ReflectorOptions options, uint64_t seed, Logger log)
    : resource_(resource),
      client_(std::move(client)),
      sink_(sink),
      stop_(stop),
      options_(options),
      backoff_(options.backoff, seed),
      log_(std::move(log)) {}

void Reflector::Log(const std::string& message) const {
  if (log_) log_(std::string(resource_.kind) + ": " + message);
}

void Reflector::Run() {
  bool need_list = true;
  while (!stop_->stopped()) {
    if (need_list) {
      if (Status s = ListAndSync(); !s.ok()) {
        if (stop_->stopped()) break;
        Log("list failed, retrying: " + s.message());
        if (stop_->Wait(backoff_.Next())) break;
        continue;
      }
      need_list = false;
    }
    bool progressed = false;
    WatchOutcome outcome = WatchOnce(&progressed);
    if (progressed) backoff_.Reset();
    bool wait = false;
    switch (outcome) {
      case WatchOutcome::kStopped:
        break;
      case WatchOutcome::kEnded:
        wait = !progressed;
        break;
      case WatchOutcome::kExpired:
        Log("resourceVersion " + resource_version_ + " expired; listing again");
        need_list = true;
        wait = !progressed;
        break;
      case WatchOutcome::kFailed:
        wait = true;
        break;
      case WatchOutcome::kSinkFailed:
        need_list = true;
        wait = true;
        break;
    }
    if (wait && stop_->Wait(backoff_.Next())) break;
  }
  done_ = true;
}

Status Reflector::ListAndSync() {
  std::set<ObjectKey> present;
  std::string continue_token;
  std::string list_version;
  for (;;) {
    if (stop_->stopped()) return Status::Error("stopped");
    std::string target =
        std::string(resource_.path) + "?limit=" + std::to_string(options_.page_size);
    if (!continue_token.empty()) target += "&continue=" + QueryEscape(continue_token);
    Result<HttpReply> reply = client_->Get(target, options_.list_timeout);
    if (!reply.ok()) return reply.status();
    if (reply->status == 410 && !continue_token.empty()) {
      // The continue token expired mid-list: start over from a fresh snapshot.
      Log("continue token expired; listing from the start");
      continue_token.clear();
      present.clear();
      continue;
    }
    if (reply->status != 200) return Status::Error("GET " + target + ": " + DescribeReply(*reply));
    Result<ListPage> page = ParseListPage(reply->body, resource_);
    if (!page.ok()) return page.status();
    for (const nlohmann::json& item : page->items) {
      ObjectKey key;
      if (Status s = Offer(item, &key); !s.ok()) return s;
      if (!key.name.empty()) present.insert(std::move(key));
    }
    list_version = page->resource_version;
    continue_token = page->continue_token;
    if (continue_token.empty()) break;
  }

  for (auto it = cache_.begin(); it != cache_.end();) {
    if (present.contains(it->first)) {
      ++it;
      continue;
    }
    if (Status s = sink_->Delete(it->first); !s.ok()) return s;
    it = cache_.erase(it);
  }
  if (!resynced_ && resource_.forward) {
    std::vector<ObjectKey> accepted;
    accepted.reserve(cache_.size());
    for (const auto& entry : cache_) accepted.push_back(entry.first);
    if (Status s = sink_->Resync(std::string(resource_.kind), accepted); !s.ok()) return s;
    resynced_ = true;
  }
  resource_version_ = list_version;
  return Status::Ok();
}

Reflector::WatchOutcome Reflector::WatchOnce(bool* progressed) {
  std::string target =
      std::string(resource_.path) + "?watch=1&resourceVersion=" + QueryEscape(resource_version_) +
      "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
  std::optional<WatchOutcome> outcome;
  auto on_line = [&](std::string_view line) {
    if (stop_->stopped()) {
      outcome = WatchOutcome::kStopped;
      return false;
    }
    Result<WatchEvent> event = ParseWatchEvent(line, resource_);
    if (!event.ok()) {
      Log(event.status().message());
      outcome = WatchOutcome::kFailed;
      return false;
    }
    Status sunk;
    switch (event->type) {
      case WatchEventType::kAdded:
      case WatchEventType::kModified: {
        ObjectKey key;
        sunk = Offer(event->object, &key);
        break;
      }
      case WatchEventType::kDeleted:
        sunk = Remove(event->object);
        break;
      case WatchEventType::kBookmark:
        break;
      case WatchEventType::kError: {
        ApiStatus status = ParseApiStatus(event->object);
        if (IsExpired(status)) {
          outcome = WatchOutcome::kExpired;
        } else {
          Log("watch error " + std::to_string(status.code) + ": " + status.message);
          outcome = WatchOutcome::kFailed;
        }
        return false;
      }
    }
    if (!sunk.ok()) {
      Log("sink refused an event, will list again: " + sunk.message());
      outcome = WatchOutcome::kSinkFailed;
      return false;
    }
    resource_version_ = event->resource_version;
    *progressed = true;
    return true;
  };
  Result<HttpReply> reply =
      client_->Stream(target, options_.watch_timeout + std::chrono::seconds(30), on_line);
  if (outcome) return *outcome;
  if (stop_->stopped()) return WatchOutcome::kStopped;
  if (!reply.ok()) {
    Log("watch broke, reconnecting: " + reply.status().message());
    return WatchOutcome::kFailed;
  }
  if (reply->status == 410) return WatchOutcome::kExpired;
  if (reply->status != 200) {
    Log("watch refused: " + DescribeReply(*reply));
    return WatchOutcome::kFailed;
  }
  return WatchOutcome::kEnded;
}

Status Reflector::Offer(const nlohmann::json& object, ObjectKey* key) {
  Result<ObjectKey> found = KeyOf(resource_, object);
  if (!found.ok()) {
    Log("skipping an object: " + found.status().message());
    return Status::Ok();
  }
  *key = *found;
  if (!resource_.forward) return Status::Ok();
  std::string text = Slim(resource_, object).dump();
  auto cached = cache_.find(*key);
  if (cached != cache_.end() && cached->second == text) return Status::Ok();
  Result<LoadedManifests> decoded = ParseManifests(text, "cluster");
  if (!decoded.ok()) {
    Log("skipping invalid object: " + decoded.status().message());
    return Status::Ok();
  }
  if (Status s = sink_->Apply(SyncedObject{*key, text}); !s.ok()) return s;
  cache_[*key] = std::move(text);
  return Status::Ok();
}

Status Reflector::Remove(const nlohmann::json& object) {
  Result<ObjectKey> key = KeyOf(resource_, object);
  if (!key.ok()) return Status::Ok();
  auto cached = cache_.find(*key);
  if (cached == cache_.end()) return Status::Ok();  // never forwarded
  if (Status s = sink_->Delete(*key); !s.ok()) return s;
  cache_.erase(cached);
  return Status::Ok();
}

}  // namespace microseg::kube
