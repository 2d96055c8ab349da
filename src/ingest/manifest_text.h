// One manifest text (a file, or stdin) into an ObjectSink.
//
// Splits the text into documents (JSON when the source ends in .json or the
// text starts with '{' or '['; YAML otherwise), unpacks `kind: List` and
// `*List` kinds, and dispatches each object to its kind's decoder. Errors
// read "SOURCE: document N: KIND NAMESPACE/NAME: FIELD.PATH: message".
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/object_sink.h"

namespace microseg {

Status DecodeManifestText(std::string_view text, const std::string& source, ObjectSink* sink);

}  // namespace microseg
