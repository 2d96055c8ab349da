// The bodies of apply and delete requests: manifests in, keyed objects out.
//
// A request carries one or more manifest texts, each named by its source
// (a file name), either as a raw YAML/JSON body or as the envelope
//   {"manifests": [{"source": "web.yaml", "text": "..."}, ...]}
// (Content-Type application/vnd.microseg.manifests+json), which is what the
// CLI sends so that messages name the user's files. Texts are validated by
// ParseManifests, exactly as offline ingest does, so the messages are the
// same: "web.yaml: document 2: NetworkPolicy shop/web: spec...: ...".
// Unlike offline ingest, unknown kinds are an error, not a warning.
//
// Pure functions; no exceptions escape, whatever the input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "microseg/store.h"

namespace microseg {

inline constexpr char kManifestsContentType[] = "application/vnd.microseg.manifests+json";

struct ManifestSource {
  std::string source;  // "web.yaml"; named in messages
  std::string text;
};

// One object of a request: its key and canonical JSON (keys sorted,
// metadata.namespace filled in for namespaced kinds, no resourceVersion).
struct ApiObject {
  ObjectKey key;
  std::string json;
};

struct ParsedRequest {
  std::vector<ApiObject> objects;  // unique keys; a later duplicate replaces an earlier one
  std::vector<std::string> warnings;
};

// Reads a request body: the envelope when `content_type` is
// kManifestsContentType, else one raw text named `source`.
Result<std::vector<ManifestSource>> ReadManifestSources(std::string_view body,
                                                        std::string_view content_type,
                                                        const std::string& source);

// Objects to apply: every text must validate.
Result<ParsedRequest> ParseApplyRequest(const std::vector<ManifestSource>& sources);

// Apply's verdict on `sources` without stopping at the first error: every
// error ParseApplyRequest could report (each invalid object of each
// document of each source, unsupported kinds, a text with no objects),
// empty when ParseApplyRequest succeeds. `objects` (may be null) gets the
// number of objects an apply would write. What `microseg validate` runs.
std::vector<std::string> ValidateApplyRequest(const std::vector<ManifestSource>& sources,
                                              size_t* objects);

// Objects to delete: only kind, metadata.name and metadata.namespace are
// read, so that an object that no longer validates can still be deleted.
Result<ParsedRequest> ParseDeleteRequest(const std::vector<ManifestSource>& sources);

// Serializes sources as the envelope (the client side of ReadManifestSources).
std::string EncodeManifestSources(const std::vector<ManifestSource>& sources);

}  // namespace microseg
