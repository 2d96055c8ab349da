// The Kubernetes API's wire format: list pages, watch events, Status.
//
// A list response is {"kind": "PodList", "metadata": {"resourceVersion",
// "continue"}, "items": [...]}; its items lack apiVersion and kind, which
// the parser sets from the resource. A watch response is a stream of
// newline-delimited {"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR",
// "object": {...}} lines; an ERROR carries a metav1.Status.
//
// Pure functions; malformed input is an error Status, never an exception.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kube/resources.h"
#include "microseg/store.h"

namespace microseg::kube {

struct ListPage {
  std::string resource_version;  // metadata.resourceVersion of the list
  std::string continue_token;    // metadata.continue; empty on the last page
  std::vector<nlohmann::json> items;
};

Result<ListPage> ParseListPage(std::string_view body, const Resource& resource);

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  nlohmann::json object;         // with apiVersion and kind; the Status for kError
  std::string resource_version;  // the object's; empty for kError
};

// One line of a watch stream, without its newline.
Result<WatchEvent> ParseWatchEvent(std::string_view line, const Resource& resource);

// A metav1.Status, from an ERROR event or the body of a failed request.
struct ApiStatus {
  int code = 0;
  std::string reason;  // "Expired", "Gone", "Unauthorized", ...
  std::string message;
};

// Reads what is there; missing fields stay empty.
ApiStatus ParseApiStatus(const nlohmann::json& status);

// True for 410 Gone / reason Expired: the resourceVersion is too old and
// the client must list again.
bool IsExpired(const ApiStatus& status);

// The object's key: kind from `resource`, namespace (namespaced kinds
// only) and name from metadata. An error names what is missing.
Result<ObjectKey> KeyOf(const Resource& resource, const nlohmann::json& object);

// Percent-encodes a query parameter value (continue tokens, versions).
std::string QueryEscape(std::string_view value);

}  // namespace microseg::kube
