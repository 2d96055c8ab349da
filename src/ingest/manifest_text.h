// One manifest text (a file, or stdin) into an ObjectSink.
//
// Splits the text into documents (JSON when the source ends in .json or the
// text starts with '{' or '['; YAML otherwise), unpacks `kind: List` and
// `*List` kinds, and dispatches each object to its kind's decoder. Errors
// read "SOURCE: document N: KIND NAMESPACE/NAME: FIELD.PATH: message".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/json_text.h"
#include "ingest/object_sink.h"

namespace microseg {

struct DecodeOptions {
  // When set, an object's error is appended here and decoding goes on with
  // the next object and document (how `validate` reports every error); the
  // returned Status then only carries a syntax error, which ends the text.
  // Unset: the first error is returned.
  std::vector<std::string>* errors = nullptr;
  // An unsupported kind is an error, as for the controller's apply, rather
  // than a warning: "unsupported kind \"Deployment\" (supported: ...)".
  bool unsupported_kind_is_error = false;
  // Fields the kind's schema does not know are errors (kubectl's strict
  // validation) for everything a user writes. Objects re-read from the
  // controller's own store were accepted once, possibly by a version that
  // did not check fields: they are read leniently, so an upgrade never makes
  // stored state unreadable (nothing accepted is lost).
  bool unknown_fields_are_errors = true;
};

Status DecodeManifestText(std::string_view text, const std::string& source, ObjectSink* sink,
                          const DecodeOptions& options = {});

// The same for one document already parsed (an object or a List): what a
// caller holding JSON uses instead of dumping it to text and back.
Status DecodeManifestJson(const Json& document, const std::string& source, ObjectSink* sink,
                          const DecodeOptions& options = {});

}  // namespace microseg
