// One parsed object (a JSON/YAML map) to its typed form.
//
// The checks are those of a manifest's object (manifest_text.h): apiVersion,
// the kind's decoder and, when strict, unknown fields. Errors read
// "KIND NAMESPACE/NAME: FIELD.PATH: message" (manifest_text prefixes
// "SOURCE: document N: "). For callers that already hold parsed JSON (the
// controller's store, an agent's span): no detour through text.
#pragma once

#include <string>

#include "common/status.h"
#include "ingest/field.h"
#include "ingest/json_text.h"
#include "ingest/kinds.h"
#include "model/kinds.h"

namespace microseg {

enum class UnknownFields {
  kError,   // what a user writes: kubectl's strict validation
  kIgnore,  // what the controller stored (maybe from an older version)
};

// Decodes `object`, whose kind is `spec`'s (the caller looked it up).
Status DecodeKnownObject(const KindSpec& spec, const Field& object, UnknownFields unknown,
                         DecodedObject* out);

// "Pod shop/web", "Namespace shop", "Pod shop/<unnamed>": how errors name
// an object, read leniently before it is validated.
std::string DescribeObject(const KindSpec& spec, const Json& object);

// A single object of any supported kind (not a List). An unknown kind is an
// error: "unsupported kind \"Deployment\" (supported: ...)".
Result<DecodedObject> DecodeObject(const Json& object, UnknownFields unknown = UnknownFields::kError);

}  // namespace microseg
