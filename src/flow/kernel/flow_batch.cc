#include "flow/kernel/flow_batch.h"

#include "flow/flow_file.h"

namespace microseg {

namespace {

AggregatorOptions BatchOptions(size_t max_entries) {
  AggregatorOptions o;
  o.max_entries = max_entries ? max_entries : 1;
  return o;
}

}  // namespace

FlowBatch::FlowBatch(std::string node, size_t max_entries)
    : node_(std::move(node)),
      max_entries_(max_entries),
      aggregator_(std::make_unique<FlowAggregator>(BatchOptions(max_entries))) {}

void FlowBatch::Add(FlowRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  aggregator_->Add(enricher_.Enrich(std::move(record)));
}

std::vector<FlowRecord> FlowBatch::Drain() {
  std::unique_ptr<FlowAggregator> full;
  {
    std::lock_guard<std::mutex> lock(mu_);
    full = std::exchange(aggregator_, std::make_unique<FlowAggregator>(BatchOptions(max_entries_)));
  }
  std::vector<FlowRecord> out;
  uint64_t dropped = 0;
  for (const AggregatedFlow& f : full->Snapshot()) {
    // Without a model every endpoint is one external address.
    if (!f.detailed() || f.src->ips.empty() || f.dst->ips.empty()) {
      dropped += f.flows;
      continue;
    }
    FlowRecord r;
    r.src = f.src->ips.front();
    r.dst = f.dst->ips.front();
    r.protocol = f.protocol;
    r.port = f.port;
    r.verdict = f.verdict;
    r.packets = f.packets;
    r.bytes = f.bytes;
    r.flows = f.flows;
    r.first = f.first;
    r.last = f.last;
    r.node = node_;
    out.push_back(std::move(r));
  }
  if (dropped) {
    std::lock_guard<std::mutex> lock(mu_);
    dropped_ += dropped;
  }
  return out;
}

uint64_t FlowBatch::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

std::string FlowRecordsToJsonLines(const std::vector<FlowRecord>& records) {
  std::string out;
  for (const FlowRecord& r : records) out += FlowRecordToJson(r).dump() + "\n";
  return out;
}

}  // namespace microseg
