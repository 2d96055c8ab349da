// GET /api/v1/watch: a chunked stream of change events, one JSON per line:
//   {"type": "ADDED|MODIFIED|DELETED", "object": {...}}
// From ?resourceVersion=N: every change after N (410 Gone when the store no
// longer has them). Without it: the current objects as ADDED, then changes.
// ?kind=K and ?namespace=NS filter. A stream that cannot go on ends with
//   {"type": "ERROR", "object": {"code": 410 or 503, "error": "..."}}
// and blank lines are keepalives, sent after 5 s of silence.
//
// GET /api/v1/watch?node=NODE&resourceVersion=N: NODE's span stream
// (span_computer.h): after GET /api/v1/span?node=NODE at revision N, the
// objects that enter, change in or leave the node's span, as
//   {"type": "MODIFIED", "object": {...}}   entered or changed
//   {"type": "DELETED", "object": {"kind", "metadata": {name, namespace}}}
// and, after each group of events and when idle, a progress mark
//   {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "R"}}}
// meaning "every change of the span up to R was sent": resume from the
// last bookmark. 410 (a reply, or an ERROR line) when the history after N
// is not available: get the span again.
#pragma once

#include <httplib.h>

#include <atomic>

#include "microseg/store.h"

namespace microseg {

class SpanComputer;

void HandleWatch(Store* store, const std::atomic<bool>* stopping, SpanComputer* spans,
                 const httplib::Request& req, httplib::Response& res);
// Without span streams (?node= is a 404).
inline void HandleWatch(Store* store, const std::atomic<bool>* stopping,
                        const httplib::Request& req, httplib::Response& res) {
  HandleWatch(store, stopping, nullptr, req, res);
}

}  // namespace microseg
