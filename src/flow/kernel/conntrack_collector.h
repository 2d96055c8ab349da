// ConntrackCollector: allowed connections from conntrack events.
//
// Subscribes to the NEW and DESTROY events of the conntrack table of the
// network namespace of the thread that calls Start() (as
// LibNftablesExecutor does), and delivers two FlowRecords per TCP, UDP or
// SCTP connection (the original direction's addresses and destination
// port; verdict allow: a denied connection never gets a conntrack entry
// confirmed):
//  - when it starts (NEW): flows 1, no counters, first = last = its start,
//    so a connection shows up at once, not after TCP's TIME_WAIT;
//  - when it ends (DESTROY): flows 0 (a counter update: it was counted at
//    its start), packets and bytes of both directions, first = its start
//    (the kernel's timestamp, or the NEW event's time), last = its end.
//    A connection whose start the collector did not see (it started
//    before Start(), or its NEW was forgotten, below) counts here: flows 1.
// Aggregated (FlowAggregator), the two make one connection with its
// counters. A long-lived connection's counters arrive when it ends.
//
// Counters need `net.netfilter.nf_conntrack_acct=1` in the namespace, set
// by Start() (options.set_sysctls) before any connection it should count;
// the kernel's timestamps need nf_conntrack_timestamp=1, set likewise.
// Memory: creation times of at most `max_pending` open connections; past
// that one remembered is forgotten (its end then counts it a second time). Events the kernel could not
// queue are counted in stats().overruns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "flow/kernel/flow_sink.h"
#include "flow/kernel/reader_thread.h"

struct nfct_handle;
struct nf_conntrack;

namespace microseg {

struct ConntrackOptions {
  std::string node;  // FlowRecord::node
  bool set_sysctls = true;
  size_t max_pending = size_t{1} << 16;
  int receive_buffer_bytes = 4 << 20;
};

struct CollectorStats {
  uint64_t events = 0;     // kernel messages handled
  uint64_t records = 0;    // delivered to the sink
  uint64_t skipped = 0;    // not a flow (ICMP, other protocols, unparsable)
  uint64_t overruns = 0;   // times the kernel dropped messages (ENOBUFS)
};

class ConntrackCollector {
 public:
  ConntrackCollector(ConntrackOptions options, FlowSink sink);
  ~ConntrackCollector();
  ConntrackCollector(const ConntrackCollector&) = delete;
  ConntrackCollector& operator=(const ConntrackCollector&) = delete;

  // Opens the event socket in the calling thread's namespace and starts
  // reading on a thread of its own. Errors when conntrack netlink is not
  // available (not root, module missing).
  Status Start();
  // Stops reading and closes the socket. Idempotent.
  void Stop();
  CollectorStats stats() const;
  // Non-fatal problems of Start() (a sysctl that could not be set).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  static int OnEvent(int type, nf_conntrack* ct, void* self);
  void Handle(int type, const nf_conntrack* ct);
  void Drain();

  ConntrackOptions options_;
  FlowSink sink_;
  nfct_handle* handle_ = nullptr;
  ReaderThread reader_;
  std::vector<std::string> warnings_;
  // Creation time per conntrack id; touched only by the reader thread.
  std::unordered_map<uint32_t, int64_t> pending_;
  mutable std::mutex stats_mu_;
  CollectorStats stats_;  // guarded by stats_mu_
};

// Writes `value` to /proc/sys/<key, dots as slashes> of the calling
// thread's network namespace.
Status SetNetnsSysctl(const std::string& key, const std::string& value);

}  // namespace microseg
