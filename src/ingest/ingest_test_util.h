// Helpers shared by the ingest tests (header-only; not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ingest/manifest_loader.h"

namespace microseg {

// Parses `text` and fails the test on error.
inline LoadedManifests MustParse(std::string_view text, const std::string& source = "test.yaml") {
  Result<LoadedManifests> result = ParseManifests(text, source);
  if (!result.ok()) {
    ADD_FAILURE() << "unexpected error: " << result.status().message();
    return {};
  }
  return std::move(*result);
}

// The error message for `text`, or "<ok>" when it parses.
inline std::string ParseError(std::string_view text, const std::string& source = "test.yaml") {
  Result<LoadedManifests> result = ParseManifests(text, source);
  return result.ok() ? "<ok>" : result.status().message();
}

}  // namespace microseg
