#include "flow/kernel/conntrack_collector.h"

#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnfnetlink/libnfnetlink.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>

namespace microseg {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SetNetnsSysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/" + key;
  for (size_t i = 10; i < path.size(); ++i) {
    if (path[i] == '.') path[i] = '/';
  }
  // /proc/sys/net is resolved against the network namespace of the task
  // that opens it: this thread's.
  std::ofstream out(path);
  if (!out || !(out << value) || !out.flush()) {
    return Status::Error("cannot set " + key + "=" + value + " (" + path + ")");
  }
  return Status::Ok();
}

namespace {

std::optional<Protocol> TransportOf(uint8_t number) {
  switch (number) {
    case IPPROTO_TCP: return Protocol::kTCP;
    case IPPROTO_UDP: return Protocol::kUDP;
    case IPPROTO_SCTP: return Protocol::kSCTP;
    default: return std::nullopt;
  }
}

std::optional<IpAddress> AddressOf(const nf_conntrack* ct, uint8_t family, bool source) {
  if (family == AF_INET) {
    uint32_t be = nfct_get_attr_u32(ct, source ? ATTR_ORIG_IPV4_SRC : ATTR_ORIG_IPV4_DST);
    return IpAddress::V4(ntohl(be));
  }
  if (family == AF_INET6) {
    const void* raw = nfct_get_attr(ct, source ? ATTR_ORIG_IPV6_SRC : ATTR_ORIG_IPV6_DST);
    if (!raw) return std::nullopt;
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, raw, text, sizeof text);
    return IpAddress::Parse(text);
  }
  return std::nullopt;
}

uint64_t AttrU64(const nf_conntrack* ct, nf_conntrack_attr attr) {
  return nfct_attr_is_set(ct, attr) > 0 ? nfct_get_attr_u64(ct, attr) : 0;
}

}  // namespace

ConntrackCollector::ConntrackCollector(ConntrackOptions options, FlowSink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {}

ConntrackCollector::~ConntrackCollector() { Stop(); }

Status ConntrackCollector::Start() {
  if (handle_) return Status::Error("conntrack collector already started");
  if (options_.set_sysctls) {
    // Both only affect connections created after they are set.
    for (const char* key : {"net.netfilter.nf_conntrack_acct", "net.netfilter.nf_conntrack_timestamp"}) {
      Status s = SetNetnsSysctl(key, "1");
      if (!s.ok()) warnings_.push_back(s.message());
    }
  }
  handle_ = nfct_open(CONNTRACK, NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY);
  if (!handle_) {
    return Status::Error(std::string("conntrack netlink: ") + std::strerror(errno) +
                         " (needs root and nf_conntrack_netlink)");
  }
  // Bursts of short connections arrive faster than one thread parses them
  // at times; a larger buffer rides them out instead of overrunning.
  if (options_.receive_buffer_bytes > 0) {
    nfnl_rcvbufsiz(nfct_nfnlh(handle_), static_cast<unsigned>(options_.receive_buffer_bytes));
  }
  nfct_callback_register(handle_, static_cast<nf_conntrack_msg_type>(NFCT_T_NEW | NFCT_T_DESTROY),
                         +[](nf_conntrack_msg_type type, nf_conntrack* ct, void* self) {
                           return OnEvent(static_cast<int>(type), ct, self);
                         },
                         this);
  Status started = reader_.Start(nfct_fd(handle_), [this] { Drain(); });
  if (!started.ok()) {
    nfct_close(handle_);
    handle_ = nullptr;
  }
  return started;
}

void ConntrackCollector::Stop() {
  reader_.Stop();
  if (handle_) nfct_close(handle_);
  handle_ = nullptr;
}

CollectorStats ConntrackCollector::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void ConntrackCollector::Drain() {
  // nfct_catch reads until the non-blocking socket is empty (EAGAIN) or
  // fails; ENOBUFS means the kernel dropped events for lack of room.
  while (true) {
    int rc = nfct_catch(handle_);
    if (rc >= 0) continue;
    if (errno == ENOBUFS) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.overruns;
      continue;
    }
    return;  // EAGAIN: drained
  }
}

int ConntrackCollector::OnEvent(int type, nf_conntrack* ct, void* self) {
  static_cast<ConntrackCollector*>(self)->Handle(type, ct);
  return NFCT_CB_CONTINUE;
}

void ConntrackCollector::Handle(int type, const nf_conntrack* ct) {
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.events;
  }
  auto skip = [this] {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.skipped;
  };
  auto protocol = TransportOf(nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO));
  if (!protocol) return skip();
  const bool is_new = type & NFCT_T_NEW;
  if (!is_new && !(type & NFCT_T_DESTROY)) return;
  const uint8_t family = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
  auto src = AddressOf(ct, family, true);
  auto dst = AddressOf(ct, family, false);
  if (!src || !dst) return skip();
  FlowRecord r;
  r.src = *src;
  r.dst = *dst;
  r.protocol = *protocol;
  r.port = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
  if (r.port == 0) return skip();
  r.verdict = FlowVerdict::kAllow;
  const uint32_t id = nfct_get_attr_u32(ct, ATTR_ID);
  const int64_t now = NowSeconds();
  r.first = now;
  r.last = now;
  if (uint64_t start_ns = AttrU64(ct, ATTR_TIMESTAMP_START)) {
    r.first = std::min(now, static_cast<int64_t>(start_ns / 1'000'000'000));
  }
  if (is_new) {
    // The start: one connection, no counters yet. Bounded: when full,
    // forget one (its end will then count it again).
    if (pending_.size() >= options_.max_pending && !pending_.empty()) {
      pending_.erase(pending_.begin());
    }
    pending_[id] = r.first;
    r.flows = 1;
  } else {
    // The end: the counters of both directions. A connection whose start
    // was seen is already counted (flows 0); one that started before the
    // collector did counts now.
    auto it = pending_.find(id);
    r.flows = it == pending_.end() ? 1 : 0;
    if (it != pending_.end()) {
      if (!AttrU64(ct, ATTR_TIMESTAMP_START)) r.first = it->second;
      pending_.erase(it);
    }
    r.packets = AttrU64(ct, ATTR_ORIG_COUNTER_PACKETS) + AttrU64(ct, ATTR_REPL_COUNTER_PACKETS);
    r.bytes = AttrU64(ct, ATTR_ORIG_COUNTER_BYTES) + AttrU64(ct, ATTR_REPL_COUNTER_BYTES);
    if (uint64_t stop_ns = AttrU64(ct, ATTR_TIMESTAMP_STOP)) {
      r.last = static_cast<int64_t>(stop_ns / 1'000'000'000);
    }
  }
  if (r.last < r.first) r.last = r.first;
  r.node = options_.node;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.records;
  }
  sink_(std::move(r));
}

}  // namespace microseg
