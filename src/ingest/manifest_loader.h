// Reads Kubernetes and microseg manifests (YAML or JSON) into an ObjectSet.
//
// Accepts files, directories (recursively: *.yaml, *.yml, *.json), "-" for
// stdin, multi-document YAML and `kind: List`. Unknown kinds are skipped with
// a warning. Any invalid object of a known kind fails the whole load, with a
// message naming file, document, object and field path, e.g.
//   web.yaml: document 2: NetworkPolicy shop/web: spec.ingress[0].ports[1].port:
//   invalid port name "eighty!": must contain only lowercase letters, digits and '-'
// Nothing is half-loaded: on error the caller gets only the Status.
// The formats, defaults and checks are documented in docs/MANIFESTS.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/json_text.h"
#include "model/object_set.h"

namespace microseg {

struct LoadedManifests {
  ObjectSet objects;
  // e.g. "x.yaml: document 3: skipping unsupported kind Deployment"
  std::vector<std::string> warnings;
};

// `source` names the input in messages (a path, or "<stdin>").
Result<LoadedManifests> ParseManifests(std::string_view text, const std::string& source);

// The same for objects the controller already stored (its watch, a node's
// span): unknown fields are not errors there, so state accepted by an older
// version stays readable after an upgrade.
Result<LoadedManifests> ParseStoredManifests(std::string_view text, const std::string& source);

// The same for a document already parsed (an object, or a List as the
// controller's API returns it): no round trip through text.
Result<LoadedManifests> ParseStoredDocument(const Json& document, const std::string& source);

// Paths may be files, directories or "-" (stdin, read once).
Result<LoadedManifests> LoadManifests(const std::vector<std::string>& paths);

}  // namespace microseg
