#include "flow/kernel/nflog_collector.h"

#include <libnetfilter_log/libnetfilter_log.h>
#include <libnfnetlink/libnfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "flow/kernel/packet_header.h"

namespace microseg {

NflogCollector::NflogCollector(NflogOptions options, FlowSink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {}

NflogCollector::~NflogCollector() { Stop(); }

Status NflogCollector::Start() {
  if (handle_) return Status::Error("nflog collector already started");
  handle_ = nflog_open();
  if (!handle_) return Status::Error(std::string("nflog: ") + std::strerror(errno));
  auto fail = [this](const std::string& what) {
    std::string message = "nflog group " + std::to_string(options_.group) + ": " + what + ": " +
                          std::strerror(errno);
    Stop();
    return Status::Error(message);
  };
  // Kernels since 3.8 ignore per-family binding; older ones need it. Errors
  // are expected on the new ones and harmless.
  for (uint16_t family : {AF_INET, AF_INET6}) {
    nflog_unbind_pf(handle_, family);
    nflog_bind_pf(handle_, family);
  }
  group_ = nflog_bind_group(handle_, options_.group);
  if (!group_) return fail("cannot bind (is another listener on it?)");
  if (nflog_set_mode(group_, NFULNL_COPY_PACKET, options_.copy_bytes) < 0) {
    return fail("cannot set copy mode");
  }
  nflog_callback_register(group_, &NflogCollector::OnPacket, this);
  if (options_.receive_buffer_bytes > 0) {
    nfnl_rcvbufsiz(nflog_nfnlh(handle_), static_cast<unsigned>(options_.receive_buffer_bytes));
  }
  Status started = reader_.Start(nflog_fd(handle_), [this] { Drain(); });
  if (!started.ok()) Stop();
  return started;
}

void NflogCollector::Stop() {
  reader_.Stop();
  if (group_) nflog_unbind_group(group_);
  group_ = nullptr;
  if (handle_) nflog_close(handle_);
  handle_ = nullptr;
}

CollectorStats NflogCollector::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void NflogCollector::Drain() {
  std::vector<char> buffer(1 << 16);
  const int fd = nflog_fd(handle_);
  while (true) {
    ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      nflog_handle_packet(handle_, buffer.data(), static_cast<int>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOBUFS) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.overruns;
      continue;
    }
    return;  // EAGAIN: drained
  }
}

int NflogCollector::OnPacket(nflog_g_handle*, nfgenmsg*, nflog_data* data, void* self) {
  static_cast<NflogCollector*>(self)->Handle(data);
  return 0;
}

void NflogCollector::Handle(nflog_data* data) {
  std::unique_lock<std::mutex> lock(stats_mu_);
  ++stats_.events;
  const char* prefix = nflog_get_prefix(data);
  auto verdict = VerdictOfLogPrefix(prefix ? prefix : "");
  char* payload = nullptr;
  int size = nflog_get_payload(data, &payload);
  auto tuple = verdict && size > 0
                   ? ParseIpPacket(reinterpret_cast<const uint8_t*>(payload), static_cast<size_t>(size))
                   : std::nullopt;
  if (!tuple) {
    ++stats_.skipped;
    return;
  }
  ++stats_.records;
  lock.unlock();
  FlowRecord r;
  r.src = tuple->src;
  r.dst = tuple->dst;
  r.protocol = tuple->protocol;
  r.port = tuple->dst_port;
  r.verdict = *verdict;
  r.packets = 1;
  r.bytes = tuple->length;
  timeval tv{};
  r.first = nflog_get_timestamp(data, &tv) == 0 && tv.tv_sec > 0 ? tv.tv_sec : NowSeconds();
  r.last = r.first;
  r.node = options_.node;
  sink_(std::move(r));
}

}  // namespace microseg
