// FlowAggregator: sums enriched flows per (source, destination, protocol,
// port, verdict) in bounded memory, with exact totals.
//
// Sources and destinations are endpoints (a pod, workload, node, or an
// external IP). Memory is bounded by options:
//   - at most `max_entries` endpoint-level aggregates; when a new one
//     arrives while full, the least recently seen aggregate is folded into
//     a rollup of its (kind, namespace, `rollup_label` value) pair of ends,
//     keeping protocol, port and verdict;
//   - at most `max_rollups` rollups; past that, folds go to one `other`
//     aggregate per verdict.
// Folding moves counts, never drops them: the sum of Snapshot() always
// equals totals(), which counts every record added.
//
// Thread safety: none; the owner serializes Add and Snapshot.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/endpoint_info.h"
#include "flow/flow_enricher.h"

namespace microseg {

struct AggregatedFlow {
  EndpointRef src;
  EndpointRef dst;
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;  // 0 only in `other` aggregates (any port)
  FlowVerdict verdict = FlowVerdict::kAllow;
  // Connections started (records' `flows` summed). May be 0 when only
  // counter updates of connections started earlier (or before the window)
  // were seen.
  uint64_t flows = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  int64_t first = 0;     // earliest window start, Unix seconds
  int64_t last = 0;      // latest window end
  DecisionRef decision;  // of the first record; null without an engine or after folding

  // Both ends are single endpoints (not rollups or `other`).
  bool detailed() const {
    return src->detail == EndpointInfo::Detail::kEndpoint &&
           dst->detail == EndpointInfo::Detail::kEndpoint;
  }
};

struct FlowTotals {
  uint64_t flows = 0, packets = 0, bytes = 0;
  std::array<uint64_t, kFlowVerdictCount> flows_by_verdict{};

  void Add(const AggregatedFlow& f);
  bool operator==(const FlowTotals&) const = default;
};
FlowTotals SumFlows(const std::vector<AggregatedFlow>& flows);

struct AggregatorOptions {
  size_t max_entries = 100000;  // endpoint-level aggregates; at least 1
  size_t max_rollups = 0;       // 0: max_entries / 8 + 1
  std::string rollup_label = "app";
};

class FlowAggregator {
 public:
  explicit FlowAggregator(AggregatorOptions options = {});
  FlowAggregator(const FlowAggregator&) = delete;
  FlowAggregator& operator=(const FlowAggregator&) = delete;

  void Add(const EnrichedFlow& flow);
  // Merges an aggregate (e.g. another agent's); rollups stay rollups.
  void Add(AggregatedFlow flow);

  // Every aggregate, sorted by (source, destination, protocol, port, verdict).
  std::vector<AggregatedFlow> Snapshot() const;
  const FlowTotals& totals() const { return totals_; }
  size_t size() const { return detailed_.size() + rollups_.size() + other_count(); }
  uint64_t folded() const { return folded_; }  // aggregates folded into rollups or other

 private:
  struct Key {
    const EndpointInfo* src;
    const EndpointInfo* dst;
    Protocol protocol;
    uint16_t port;
    FlowVerdict verdict;
    bool operator==(const Key& o) const {
      return protocol == o.protocol && port == o.port && verdict == o.verdict &&
             src->SameEndpoint(*o.src) && dst->SameEndpoint(*o.dst);
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      size_t h = k.src->hash * 0x9e3779b97f4a7c15ULL ^ k.dst->hash;
      return h ^ (static_cast<size_t>(k.port) << 16 | static_cast<size_t>(k.protocol) << 8 |
                  static_cast<size_t>(k.verdict));
    }
  };
  using Lru = std::list<AggregatedFlow>;  // front: most recently seen

  static Key KeyOf(const AggregatedFlow& f) {
    return {f.src.get(), f.dst.get(), f.protocol, f.port, f.verdict};
  }
  static void Merge(AggregatedFlow& into, const AggregatedFlow& from);
  void Fold(AggregatedFlow flow);
  EndpointRef RollupOf(const EndpointInfo& e);
  size_t other_count() const;

  AggregatorOptions options_;
  FlowTotals totals_;
  Lru lru_;
  std::unordered_map<Key, Lru::iterator, KeyHash> detailed_;
  std::unordered_map<Key, AggregatedFlow, KeyHash> rollups_;
  std::unordered_map<std::string, EndpointRef> rollup_ends_;  // ends of live rollups
  std::array<AggregatedFlow, kFlowVerdictCount> other_;
  std::array<bool, kFlowVerdictCount> other_used_{};
  uint64_t folded_ = 0;
};

}  // namespace microseg
