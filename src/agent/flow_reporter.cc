#include "agent/flow_reporter.h"

#include <utility>

namespace microseg {

FlowReporter::FlowReporter(FlowReporterOptions options, Log log)
    : options_(std::move(options)),
      log_(std::move(log)),
      client_(options_.server, options_.token, options_.tls),
      batch_(options_.node),
      conntrack_(ConntrackOptions{.node = options_.node},
                 [this](FlowRecord&& r) { Collect(std::move(r)); }),
      nflog_(NflogOptions{.node = options_.node, .group = options_.log_group},
             [this](FlowRecord&& r) { Collect(std::move(r)); }) {}

FlowReporter::~FlowReporter() { Stop(); }

void FlowReporter::Collect(FlowRecord&& record) {
  batch_.Add(std::move(record));
  ++collected_;
}

Status FlowReporter::Start() {
  Status s = StartCollectors();
  if (s.ok()) StartShipping();
  return s;
}

Status FlowReporter::StartCollectors() {
  Status conntrack = conntrack_.Start();
  if (!conntrack.ok()) log_("flows: allowed connections are not collected: " + conntrack.message());
  Status nflog = nflog_.Start();
  if (!nflog.ok()) log_("flows: denied packets are not collected: " + nflog.message());
  if (!conntrack.ok() && !nflog.ok()) return Status::Error("flows: no collector could start");
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  return Status::Ok();
}

void FlowReporter::StartShipping() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stopping_ || shipper_.joinable()) return;
  }
  shipper_ = std::thread([this] { ShipLoop(); });
}

void FlowReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  conntrack_.Stop();
  nflog_.Stop();
  if (shipper_.joinable()) shipper_.join();
  ShipOnce();  // what came in since the last interval
}

void FlowReporter::ShipLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    ShipOnce();
    lock.lock();
  }
}

void FlowReporter::ShipOnce() {
  std::vector<FlowRecord> records = batch_.Drain();
  if (records.empty()) return;
  Status s = client_.PostFlows(FlowRecordsToJsonLines(records));  // POST /api/v1/flows
  std::lock_guard<std::mutex> lock(mu_);
  if (s.ok()) {
    shipped_ += records.size();
    return;
  }
  lost_ += records.size();
  log_("flows: " + std::to_string(records.size()) + " record(s) not shipped: " + s.message());
}

uint64_t FlowReporter::shipped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shipped_;
}

uint64_t FlowReporter::lost() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lost_;
}

}  // namespace microseg
