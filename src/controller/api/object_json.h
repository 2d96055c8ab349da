// JSON shapes of the API: objects as served, lists, watch events, errors.
#pragma once

#include <string>
#include <vector>

#include "ingest/field.h"
#include "microseg/store.h"

namespace microseg {

// The stored document with metadata.resourceVersion set (as a string, as
// Kubernetes does). A document that no longer parses (it never should) is
// served as {"kind", "metadata"} only.
Json RenderObject(const StoredObject& object);

// {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion"}, "items": [...]}.
Json RenderList(const Snapshot& snapshot);

const char* EventTypeName(EventType type);  // "ADDED", ...

// One line of a watch stream, without the newline.
std::string RenderEvent(const WatchEvent& event);

// {"error": message}.
std::string ErrorBody(const std::string& message);

// JSON text that never throws, whatever the strings hold (invalid UTF-8 is
// replaced).
std::string DumpJson(const Json& value, int indent = -1);

}  // namespace microseg
