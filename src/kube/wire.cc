#include "kube/wire.h"

#include <cctype>

#include "ingest/json_text.h"

namespace microseg::kube {

namespace {

// metadata.FIELD as a string, or "" when absent or not a string.
std::string MetadataString(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return "";
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  if (it == meta->end() || !it->is_string()) return "";
  return it->get<std::string>();
}

void SetTypeMeta(const Resource& resource, nlohmann::json* object) {
  (*object)["apiVersion"] = std::string(resource.api_version);
  (*object)["kind"] = std::string(resource.kind);
}

}  // namespace

Result<ListPage> ParseListPage(std::string_view body, const Resource& resource) {
  nlohmann::json doc = ParseUntrustedJson(body);
  std::string what = std::string(resource.kind) + " list";
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Error(what + ": response is not a JSON object");
  }
  auto items = doc.find("items");
  if (items != doc.end() && !items->is_null() && !items->is_array()) {
    return Status::Error(what + ": items is not a list");
  }
  ListPage page;
  page.resource_version = MetadataString(doc, "resourceVersion");
  page.continue_token = MetadataString(doc, "continue");
  if (page.resource_version.empty()) {
    return Status::Error(what + ": metadata.resourceVersion is missing");
  }
  if (items != doc.end() && items->is_array()) {
    page.items.reserve(items->size());
    for (nlohmann::json& item : *items) {
      if (!item.is_object()) return Status::Error(what + ": an item is not an object");
      SetTypeMeta(resource, &item);
      page.items.push_back(std::move(item));
    }
  }
  return page;
}

Result<WatchEvent> ParseWatchEvent(std::string_view line, const Resource& resource) {
  std::string what = std::string(resource.kind) + " watch";
  nlohmann::json doc = ParseUntrustedJson(line);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Error(what + ": event is not a JSON object");
  }
  auto type = doc.find("type");
  auto object = doc.find("object");
  if (type == doc.end() || !type->is_string()) return Status::Error(what + ": event has no type");
  if (object == doc.end() || !object->is_object()) {
    return Status::Error(what + ": event has no object");
  }
  const std::string& name = type->get_ref<const std::string&>();
  WatchEvent event;
  if (name == "ADDED") {
    event.type = WatchEventType::kAdded;
  } else if (name == "MODIFIED") {
    event.type = WatchEventType::kModified;
  } else if (name == "DELETED") {
    event.type = WatchEventType::kDeleted;
  } else if (name == "BOOKMARK") {
    event.type = WatchEventType::kBookmark;
  } else if (name == "ERROR") {
    event.type = WatchEventType::kError;
  } else {
    return Status::Error(what + ": unknown event type \"" + name + "\"");
  }
  event.object = std::move(*object);
  if (event.type == WatchEventType::kError) return event;
  SetTypeMeta(resource, &event.object);
  event.resource_version = MetadataString(event.object, "resourceVersion");
  if (event.resource_version.empty()) {
    return Status::Error(what + ": " + name + " event has no metadata.resourceVersion");
  }
  return event;
}

ApiStatus ParseApiStatus(const nlohmann::json& status) {
  ApiStatus out;
  if (!status.is_object()) return out;
  if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
    out.code = it->get<int>();
  }
  if (auto it = status.find("reason"); it != status.end() && it->is_string()) {
    out.reason = it->get<std::string>();
  }
  if (auto it = status.find("message"); it != status.end() && it->is_string()) {
    out.message = it->get<std::string>();
  }
  return out;
}

bool IsExpired(const ApiStatus& status) {
  return status.code == 410 || status.reason == "Expired" || status.reason == "Gone";
}

Result<ObjectKey> KeyOf(const Resource& resource, const nlohmann::json& object) {
  ObjectKey key;
  key.kind = std::string(resource.kind);
  key.name = MetadataString(object, "name");
  if (key.name.empty()) return Status::Error(key.kind + ": metadata.name is missing");
  if (resource.namespaced) {
    key.namespace_name = MetadataString(object, "namespace");
    if (key.namespace_name.empty()) {
      return Status::Error(key.kind + " " + key.name + ": metadata.namespace is missing");
    }
  }
  return key;
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace microseg::kube
