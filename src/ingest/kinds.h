// The decoder of each kind of the registry (model/kinds.h).
//
// Adding a kind means a row in the registry, a decoder (decoders.h), a case
// in kinds.cc, and an alternative of DecodedObject (object_sink.h).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/field.h"
#include "ingest/object_sink.h"
#include "model/kinds.h"

namespace microseg {

struct KindSpec {
  ObjectKind id;
  std::string_view kind;         // "NetworkPolicy"
  std::string_view api_version;  // "networking.k8s.io/v1"
  bool namespaced;
  Status (*decode)(const Field& doc, DecodedObject* out);
};

// nullptr for kinds we do not read.
const KindSpec* FindKind(std::string_view kind);

}  // namespace microseg
