// The table of supported kinds: apiVersion, scope and decoder of each.
//
// Adding a kind means one decoder (decoders.h) and one row in kinds.cc.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/field.h"
#include "ingest/object_sink.h"

namespace microseg {

struct KindSpec {
  std::string_view kind;         // "NetworkPolicy"
  std::string_view api_version;  // "networking.k8s.io/v1"
  bool namespaced;
  // Decodes `doc` and adds the object to `sink`, attributed to `origin`.
  Status (*decode)(const Field& doc, const std::string& origin, ObjectSink* sink);
};

// nullptr for kinds we do not read.
const KindSpec* FindKind(std::string_view kind);

}  // namespace microseg
