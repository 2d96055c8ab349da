// Flow timestamps: RFC 3339 text <-> Unix seconds, and "15m"-style durations.
//
// Flow files carry UTC or offset timestamps ("2026-11-22T10:00:00Z",
// "2026-11-22T11:00:00+01:00", optional fractional seconds). Flows are
// aggregated to whole seconds: finer time adds nothing to a dependency map.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace microseg {

// Seconds since the Unix epoch; fractional seconds are truncated.
std::optional<int64_t> ParseRfc3339(std::string_view text);
// Always UTC with a trailing "Z": "2026-11-22T10:00:00Z".
std::string FormatRfc3339(int64_t unix_seconds);
// "90s", "15m", "2h", "1d", or a sum such as "1h30m". Positive only.
std::optional<int64_t> ParseDuration(std::string_view text);
// The `since` of flow queries (CLI and controller): an RFC 3339 time, or a
// duration counted back from `now`.
std::optional<int64_t> ParseSince(std::string_view text, int64_t now);

}  // namespace microseg
