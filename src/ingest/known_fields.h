// Strict decoding: the fields each kind may carry.
//
// kubectl's `--validate=strict` rejects a field the kind's schema does not
// define, so a typo (`ingres:`, `matchLabel:`) fails instead of silently
// changing who is isolated. We do the same against a schema per kind
// (known_fields.cc): every field a decoder reads, plus the fields the
// Kubernetes API defines and we ignore (all of ObjectMeta, `status` of the
// v1 kinds and policies). Pod, Node, Service and Namespace keep `spec` and
// `status` open: their schemas are large, grow with every Kubernetes
// release, and must never stop kube-sync reading a real API server.
#pragma once

#include "common/status.h"
#include "ingest/field.h"
#include "model/kinds.h"

namespace microseg {

// Ok, or "PATH: unknown field" for the first field (in key order) that
// `kind` does not define.
Status CheckKnownFields(ObjectKind kind, const Field& root);

}  // namespace microseg
