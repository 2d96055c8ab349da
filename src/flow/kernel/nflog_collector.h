// NflogCollector: denied and would-deny packets from an NFLOG group.
//
// microseg's nft table logs the packets visibility mode lets through
// although policy would drop them ("microseg would-deny ingress: " /
// "... egress: ", group PlanOptions::log_group, 100 by default); enforced
// drops logged as "microseg deny ...: " map to deny. The collector binds
// the group in the network namespace of the thread that calls Start(),
// copies the first `copy_bytes` of each packet (headers are enough),
// parses the IPv4/IPv6 and TCP/UDP/SCTP headers and delivers one
// FlowRecord per packet (packets 1, bytes = the IP length). Packets with
// other prefixes or protocols are counted in stats().skipped.
//
// Only the first packet of a connection reaches the log chains (the table
// accepts established traffic before them), so a record is a connection
// attempt. A flow crossing two nodes is logged by both (egress at the
// source, ingress at the destination).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"
#include "flow/kernel/conntrack_collector.h"
#include "flow/kernel/flow_sink.h"
#include "flow/kernel/reader_thread.h"

struct nflog_handle;
struct nflog_g_handle;
struct nflog_data;
struct nfgenmsg;

namespace microseg {

struct NflogOptions {
  std::string node;  // FlowRecord::node
  uint16_t group = 100;
  uint32_t copy_bytes = 128;  // IPv6 + extension headers + ports fit
  int receive_buffer_bytes = 4 << 20;
};

class NflogCollector {
 public:
  NflogCollector(NflogOptions options, FlowSink sink);
  ~NflogCollector();
  NflogCollector(const NflogCollector&) = delete;
  NflogCollector& operator=(const NflogCollector&) = delete;

  // Binds the group in the calling thread's namespace and starts reading.
  // Errors when the group is taken (another listener in this namespace) or
  // NFLOG is unavailable.
  Status Start();
  void Stop();  // idempotent
  CollectorStats stats() const;

 private:
  static int OnPacket(nflog_g_handle* group, nfgenmsg* msg, nflog_data* data, void* self);
  void Handle(nflog_data* data);
  void Drain();

  NflogOptions options_;
  FlowSink sink_;
  nflog_handle* handle_ = nullptr;
  nflog_g_handle* group_ = nullptr;
  ReaderThread reader_;
  mutable std::mutex stats_mu_;
  CollectorStats stats_;  // guarded by stats_mu_
};

}  // namespace microseg
