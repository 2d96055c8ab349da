#include "flow/flow_store.h"

#include <algorithm>

namespace microseg {

FlowStore::FlowStore(FlowStoreOptions options) : options_(options) {}

void FlowStore::Add(std::vector<FlowRecord> records, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.received += records.size();
  const size_t max = std::max<size_t>(options_.max_records, 1);
  // A batch larger than the store keeps only its newest part.
  size_t skip = records.size() > max ? records.size() - max : 0;
  stats_.evicted += skip;
  for (size_t i = skip; i < records.size(); ++i) records_.push_back(std::move(records[i]));
  while (records_.size() > max) {
    records_.pop_front();
    ++stats_.evicted;
  }
  Expire(now);
}

std::vector<FlowRecord> FlowStore::Records(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Expire(now);
  const int64_t cutoff = now - options_.max_age_seconds;
  std::vector<FlowRecord> out;
  out.reserve(records_.size());
  // Agents ship in time order, but one with a late batch may put an old
  // record behind newer ones: Expire() only trims the front, so filter too.
  for (const FlowRecord& r : records_) {
    if (r.last >= cutoff) out.push_back(r);
  }
  return out;
}

FlowStoreStats FlowStore::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  FlowStoreStats s = stats_;
  s.records = records_.size();
  return s;
}

void FlowStore::Expire(int64_t now) {
  const int64_t cutoff = now - options_.max_age_seconds;
  while (!records_.empty() && records_.front().last < cutoff) {
    records_.pop_front();
    ++stats_.evicted;
  }
}

}  // namespace microseg
