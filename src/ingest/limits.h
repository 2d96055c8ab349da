// Limits on untrusted manifest and request text.
#pragma once

#include <cstddef>

namespace microseg {

// How deep a JSON or YAML value may nest; the top-level map or list is level
// 1. Real objects nest about 20 levels (managedFields is the deepest part of
// `kubectl get -o json`). Parsers refuse deeper input as they read it, before
// anything recurses: copying, dumping or comparing a tree of nlohmann::json
// recurses once per level, and 66,000 levels overflow a thread's stack.
inline constexpr size_t kMaxNestingDepth = 100;

}  // namespace microseg
