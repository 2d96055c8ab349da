// GET /api/v1/watch: a chunked stream of change events, one JSON per line:
//   {"type": "ADDED|MODIFIED|DELETED", "object": {...}}
// From ?resourceVersion=N: every change after N (410 Gone when the store no
// longer has them). Without it: the current objects as ADDED, then changes.
// ?kind=K and ?namespace=NS filter. A stream that cannot go on ends with
//   {"type": "ERROR", "object": {"code": 410 or 503, "error": "..."}}
// and blank lines are keepalives, sent after 5 s of silence.
#pragma once

#include <httplib.h>

#include <atomic>

#include "microseg/store.h"

namespace microseg {

void HandleWatch(Store* store, const std::atomic<bool>* stopping, const httplib::Request& req,
                 httplib::Response& res);

}  // namespace microseg
