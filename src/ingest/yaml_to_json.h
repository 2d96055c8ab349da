// YAML streams to JSON values, so YAML and JSON manifests share one decoder.
//
// Scalars resolve by the YAML 1.2 core schema, as kubectl's converter does
// for JSON-compatible input: a plain `80` is an integer, `"80"` (any quoted
// or block scalar, or `!!str 80`) is a string; `true`/`false`, `null`/`~`
// and floats likewise. Mapping keys are always strings. Aliases are
// expanded (bounded, so a "billion laughs" document fails instead of
// exhausting memory). Nesting deeper than kMaxNestingDepth (limits.h) and a
// key repeated in one mapping are errors ("duplicate field \"ingress\"").
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/field.h"

namespace microseg {

// One value per document, in order; an empty document is null. On malformed
// input the Status reads "document N: invalid YAML: line L, column C: ...".
Result<std::vector<Json>> YamlToJson(std::string_view text);

// A plain (untagged, unquoted) scalar resolved by the YAML 1.2 core schema.
Json ResolvePlainScalar(const std::string& text);

}  // namespace microseg
