// Listeners: one socket per pod and container port, and per workload
// address and declared port, each created inside the endpoint's network
// namespace (a workload's is its host's, or its own when unmanaged), all
// served by one poll loop. TCP and SCTP accept
// and close; UDP echoes each datagram. SCTP is skipped (with a warning)
// where the kernel has no SCTP.
//
// Thread safety: Serve() runs on one thread; Stop() from any.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "lab/topology.h"

namespace microseg::lab {

class Listeners {
 public:
  static Result<std::unique_ptr<Listeners>> Open(const LabTopology& topology,
                                                 std::vector<std::string>* warnings);
  ~Listeners();
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;

  void Serve();  // until Stop()
  void Stop() { stop_ = true; }
  size_t size() const { return sockets_.size(); }

 private:
  Listeners() = default;
  struct Socket {
    int fd;
    bool datagram;
  };
  std::vector<Socket> sockets_;
  std::atomic<bool> stop_{false};
};

}  // namespace microseg::lab
