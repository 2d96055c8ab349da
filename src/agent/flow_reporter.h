// FlowReporter: the agent's visibility loop. Collects the flows of this
// enforcement point from the kernel (conntrack events for connections that
// were allowed, NFLOG for packets policy denies or would deny), folds them in
// a bounded FlowBatch, and ships the batch to the controller every interval
// (POST /api/v1/flows). See docs/VISIBILITY.md.
//
// Collection is best effort: a collector that cannot start (no conntrack
// netlink, the NFLOG group taken) is reported and the agent enforces anyway;
// a failed shipment is reported and its records are dropped (counted), so
// memory stays bounded while the controller is away.
#pragma once

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "controller/client/api_client.h"
#include "flow/kernel/conntrack_collector.h"
#include "flow/kernel/flow_batch.h"
#include "flow/kernel/nflog_collector.h"

namespace microseg {

struct FlowReporterOptions {
  std::string node;
  std::string server;  // controller URL
  std::string token;
  ClientTls tls;  // https: the CA to trust, and the agent's certificate
  uint16_t log_group = 100;  // PlanOptions::log_group
  std::chrono::milliseconds interval{10000};
};

class FlowReporter {
 public:
  // Problems worth a log line: a collector that did not start, a failed
  // shipment. Called from the reporter's thread or from Start().
  using Log = std::function<void(const std::string&)>;

  FlowReporter(FlowReporterOptions options, Log log);
  ~FlowReporter();
  FlowReporter(const FlowReporter&) = delete;
  FlowReporter& operator=(const FlowReporter&) = delete;

  // Starts the collectors in the calling thread's network namespace and the
  // shipping thread. Fails only when neither collector could start.
  Status Start();
  // Start() in two steps, for callers whose controller is reachable from
  // another namespace than the one to observe (the lab): the collectors
  // from a thread in the observed namespace, then the shipping thread,
  // whose requests are made from the namespace of the thread that calls
  // StartShipping().
  Status StartCollectors();
  void StartShipping();
  // Ships what was collected so far now, rather than at the next interval
  // (tests, and Stop()).
  void Flush() { ShipOnce(); }
  // Stops collecting and ships what is left. Idempotent.
  void Stop();

  uint64_t collected() const { return collected_; }  // records from the kernel
  uint64_t shipped() const;  // records accepted by the controller
  uint64_t lost() const;     // records of failed shipments

 private:
  void Collect(FlowRecord&& record);  // from the collectors' threads
  void ShipLoop();
  void ShipOnce();

  const FlowReporterOptions options_;
  const Log log_;
  const ApiClient client_;
  std::atomic<uint64_t> collected_{0};
  FlowBatch batch_;
  ConntrackCollector conntrack_;
  NflogCollector nflog_;
  std::thread shipper_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool started_ = false;   // guarded by mu_
  uint64_t shipped_ = 0;   // guarded by mu_
  uint64_t lost_ = 0;      // guarded by mu_
};

}  // namespace microseg
