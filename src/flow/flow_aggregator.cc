#include "flow/flow_aggregator.h"

#include <algorithm>
#include <tuple>

namespace microseg {

void FlowTotals::Add(const AggregatedFlow& f) {
  flows += f.flows;
  packets += f.packets;
  bytes += f.bytes;
  flows_by_verdict[static_cast<size_t>(f.verdict)] += f.flows;
}

FlowTotals SumFlows(const std::vector<AggregatedFlow>& flows) {
  FlowTotals t;
  for (const AggregatedFlow& f : flows) t.Add(f);
  return t;
}

FlowAggregator::FlowAggregator(AggregatorOptions options) : options_(std::move(options)) {
  options_.max_entries = std::max<size_t>(options_.max_entries, 1);
  if (options_.max_rollups == 0) options_.max_rollups = options_.max_entries / 8 + 1;
}

void FlowAggregator::Merge(AggregatedFlow& into, const AggregatedFlow& from) {
  into.first = std::min(into.first, from.first);
  into.last = std::max(into.last, from.last);
  into.flows += from.flows;
  into.packets += from.packets;
  into.bytes += from.bytes;
  if (into.decision != from.decision) into.decision = nullptr;  // no longer one answer
}

void FlowAggregator::Add(const EnrichedFlow& flow) {
  AggregatedFlow f;
  f.src = flow.src;
  f.dst = flow.dst;
  f.protocol = flow.record.protocol;
  f.port = flow.record.port;
  f.verdict = flow.record.verdict;
  f.flows = flow.record.flows;  // 0: a counter update
  f.packets = flow.record.packets;
  f.bytes = flow.record.bytes;
  f.first = flow.record.first;
  f.last = flow.record.last;
  f.decision = flow.decision;
  Add(std::move(f));
}

void FlowAggregator::Add(AggregatedFlow flow) {
  totals_.Add(flow);
  if (!flow.detailed()) {
    Fold(std::move(flow));
    return;
  }
  Key key = KeyOf(flow);
  if (auto it = detailed_.find(key); it != detailed_.end()) {
    Merge(*it->second, flow);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (detailed_.size() >= options_.max_entries) {
    // Erase the index entry while the aggregate (which owns the ends the
    // key points to) is still alive.
    detailed_.erase(KeyOf(lru_.back()));
    AggregatedFlow oldest = std::move(lru_.back());
    lru_.pop_back();
    Fold(std::move(oldest));
  }
  lru_.push_front(std::move(flow));
  detailed_.emplace(KeyOf(lru_.front()), lru_.begin());
}

EndpointRef FlowAggregator::RollupOf(const EndpointInfo& e) {
  if (e.detail != EndpointInfo::Detail::kEndpoint) return nullptr;  // already folded
  const std::string* app = e.labels.Get(options_.rollup_label);
  std::string key;
  switch (e.kind) {
    case EndpointKind::kPod:
      key = e.namespace_name + "/";
      break;
    case EndpointKind::kWorkload:
      key = "workload:";
      break;
    case EndpointKind::kNode:
      key = "node:";
      break;
    case EndpointKind::kExternal:
      key = "external";
      break;
  }
  if (e.kind != EndpointKind::kExternal) {
    key += app ? options_.rollup_label + "=" + *app : "*";
  }
  std::string index = std::string(EndpointKindName(e.kind)) + "|" + key;
  if (auto it = rollup_ends_.find(index); it != rollup_ends_.end()) return it->second;
  EndpointInfo info;
  info.detail = EndpointInfo::Detail::kRollup;
  info.kind = e.kind;
  info.key = key;
  info.namespace_name = e.namespace_name;
  if (app) info.labels.Set(options_.rollup_label, *app);
  EndpointRef ref = MakeEndpointInfo(std::move(info));
  rollup_ends_.emplace(std::move(index), ref);
  return ref;
}

void FlowAggregator::Fold(AggregatedFlow flow) {
  ++folded_;
  if (flow.src->detail != EndpointInfo::Detail::kOther &&
      flow.dst->detail != EndpointInfo::Detail::kOther) {
    EndpointRef src = RollupOf(*flow.src);
    EndpointRef dst = RollupOf(*flow.dst);
    AggregatedFlow rolled = flow;
    if (src) rolled.src = src;
    if (dst) rolled.dst = dst;
    Key key = KeyOf(rolled);
    auto it = rollups_.find(key);
    if (it == rollups_.end() && rollups_.size() < options_.max_rollups) {
      rollups_.emplace(key, std::move(rolled));
      return;
    }
    if (it != rollups_.end()) {
      Merge(it->second, rolled);
      return;
    }
  }
  const size_t slot = static_cast<size_t>(flow.verdict);
  AggregatedFlow& other = other_[slot];
  if (!other_used_[slot]) {
    other_used_[slot] = true;
    static const EndpointRef kOther = [] {
      EndpointInfo info;
      info.detail = EndpointInfo::Detail::kOther;
      info.key = "other";
      return MakeEndpointInfo(std::move(info));
    }();
    other.src = kOther;
    other.dst = kOther;
    other.protocol = flow.protocol;
    other.verdict = flow.verdict;
    other.decision = flow.decision;
    other.first = flow.first;
    other.last = flow.last;
  }
  Merge(other, flow);
  other.port = 0;  // any port
}

size_t FlowAggregator::other_count() const {
  return static_cast<size_t>(std::count(other_used_.begin(), other_used_.end(), true));
}

std::vector<AggregatedFlow> FlowAggregator::Snapshot() const {
  std::vector<AggregatedFlow> out(lru_.begin(), lru_.end());
  out.reserve(size());
  for (const auto& [key, f] : rollups_) out.push_back(f);
  for (size_t i = 0; i < other_.size(); ++i) {
    if (other_used_[i]) out.push_back(other_[i]);
  }
  auto rank = [](const AggregatedFlow& f) {
    return std::tie(f.src->detail, f.src->kind, f.src->key, f.dst->detail, f.dst->kind, f.dst->key,
                    f.protocol, f.port, f.verdict);
  };
  std::sort(out.begin(), out.end(),
            [&](const AggregatedFlow& a, const AggregatedFlow& b) { return rank(a) < rank(b); });
  return out;
}

}  // namespace microseg
