// The table of supported kinds: apiVersion, scope and decoder of each.
//
// Adding a kind means a decoder (decoders.h), a row in kinds.cc, and an
// alternative of DecodedObject (object_sink.h).
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
  Status (*decode)(const Field& doc, DecodedObject* out);
};

// nullptr for kinds we do not read.
const KindSpec* FindKind(std::string_view kind);

// "Namespace, Pod, ...": every supported kind, for messages.
std::string SupportedKindList();

}  // namespace microseg
