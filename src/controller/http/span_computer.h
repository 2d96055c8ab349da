// SpanComputer: the objects one enforcement point needs, from a store
// snapshot, by the same PolicyEngine code the agent compiles with.
//
// Span() decodes every stored object (as offline ingest does), loads a
// PolicyEngine, asks it for SpanFor(node), and returns the *stored*
// documents of the objects in the span, so that the agent decodes exactly
// what apply validated. The engine is kept for the snapshot's revision: all
// agents reloading after one change share one decode and one index build;
// each request still lists the store and walks the node's selections.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "microseg/store.h"

namespace microseg {

class PolicyEngine;

class SpanComputer {
 public:
  SpanComputer();
  ~SpanComputer();

  // `all` must hold every object of every kind at `all.revision`. The
  // result carries the same revision. Thread-safe.
  Result<Snapshot> Span(const Snapshot& all, const std::string& node);

 private:
  std::mutex mu_;
  int64_t revision_ = -1;                 // of engine_; guarded by mu_
  std::unique_ptr<PolicyEngine> engine_;  // guarded by mu_ (queries fill caches)
};

}  // namespace microseg
