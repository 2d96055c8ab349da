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

namespace microseg {

// Receives each element of the top-level "items" list; `index` counts from
// 0. It may move from `item`.
using JsonItemHandler = std::function<void(size_t index, Json& item)>;

// Parses one JSON document. When `on_item` is set, the elements of a
// top-level "items" list go to it and are left out of the result, whose
// "items" stays an empty list. On malformed input the Status reads
// "document 1: invalid JSON: line L, column C: ...".
Result<Json> ParseJsonText(std::string_view text, const JsonItemHandler& on_item);

// True when the text starts like JSON: '[', or '{' then '"' or '}'. A YAML
// flow mapping ("{kind: Pod}") does not.
bool LooksLikeJson(std::string_view text);

}  // namespace microseg
