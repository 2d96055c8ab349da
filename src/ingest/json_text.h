// Reading JSON manifests: the fast path for large inputs.
//
// nlohmann parses straight into the Json tree the decoders read, with no
// YAML events in between; a 40 MB cluster dump loads in well under a second.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/field.h"

namespace microseg {

// The documents of a JSON text: a single value (one document). On malformed
// input the Status reads "document 1: invalid JSON: line L, column C: ...".
Result<std::vector<Json>> ParseJsonText(std::string_view text);

// True when the first non-blank character is '{' or '[': the text is
// probably JSON (a YAML flow mapping also starts so; callers fall back).
bool LooksLikeJson(std::string_view text);

}  // namespace microseg
