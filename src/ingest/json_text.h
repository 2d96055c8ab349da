// Reading JSON manifests: the fast path for large inputs.
//
// nlohmann parses straight into the Json tree the decoders read, with no
// YAML events in between. The items of a top-level List are handed out one
// by one as the parser completes them, so a 40 MB `kubectl get -o json`
// dump is never held (nor freed) as one tree: that alone halves load time.
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"
#include "ingest/field.h"
#include "ingest/limits.h"

namespace microseg {

// Receives each element of the top-level "items" list; `index` counts from
// 0. It may move from `item`.
using JsonItemHandler = std::function<void(size_t index, Json& item)>;

// Parses one JSON document. When `on_item` is set, the elements of a
// top-level "items" list go to it and are left out of the result, whose
// "items" stays an empty list. On malformed input the Status reads
// "document 1: invalid JSON: line L, column C: ..."; nesting deeper than
// kMaxNestingDepth is an error too, and, when `on_item` is set (as for
// every manifest), so is a key repeated in one object ("document 1:
// spec.ingress: duplicate field"), as for kubectl's strict validation: a
// repeated key would otherwise silently replace the first.
Result<Json> ParseJsonText(std::string_view text, const JsonItemHandler& on_item);

// Parses untrusted JSON that is not a manifest (a request body, a peer's
// reply, a watch event): a discarded value (is_discarded()) when malformed
// or nested deeper than kMaxNestingDepth. A drop-in for
// Json::parse(text, nullptr, /*allow_exceptions=*/false), which accepts any
// depth and so lets a small body crash whatever walks the tree recursively.
Json ParseUntrustedJson(std::string_view text);

// True when the text starts like JSON: '[', or '{' then '"' or '}'. A YAML
// flow mapping ("{kind: Pod}") does not.
bool LooksLikeJson(std::string_view text);

}  // namespace microseg
