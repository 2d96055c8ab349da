#include "controller/api/object_json.h"

#include "ingest/json_text.h"

namespace microseg {

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Json RenderObject(const StoredObject& object) {
  Json doc = ParseUntrustedJson(object.json);
  if (!doc.is_object()) {
    doc = Json{{"kind", object.key.kind}, {"metadata", {{"name", object.key.name}}}};
    if (!object.key.namespace_name.empty()) {
      doc["metadata"]["namespace"] = object.key.namespace_name;
    }
  }
  Json& metadata = doc["metadata"];
  if (!metadata.is_object()) metadata = Json::object();
  metadata["resourceVersion"] = std::to_string(object.resource_version);
  return doc;
}

Json RenderList(const Snapshot& snapshot) {
  Json items = Json::array();
  for (const StoredObject& object : snapshot.objects) items.push_back(RenderObject(object));
  return Json{{"apiVersion", "v1"},
              {"kind", "List"},
              {"metadata", {{"resourceVersion", std::to_string(snapshot.revision)}}},
              {"items", std::move(items)}};
}

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

std::string RenderEvent(const WatchEvent& event) {
  return DumpJson(
      Json{{"type", EventTypeName(event.type)}, {"object", RenderObject(event.object)}});
}

std::string ErrorBody(const std::string& message) { return DumpJson(Json{{"error", message}}); }

}  // namespace microseg
