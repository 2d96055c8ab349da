// ReaderThread: one thread that waits on a netlink socket and calls back
// when it is readable, until Stop().
//
// Shared by the collectors: each opens its socket in the caller's network
// namespace (a netlink socket stays bound to the namespace it was created
// in, whatever thread reads it later), then hands the descriptor here.
// Stop() wakes the poll through an eventfd, so it returns at once.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "common/status.h"

namespace microseg {

class ReaderThread {
 public:
  ReaderThread() = default;
  ~ReaderThread() { Stop(); }
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  // `fd` is made non-blocking; `on_readable` must read until EAGAIN.
  Status Start(int fd, std::function<void()> on_readable);
  // Joins the thread. Idempotent; the fd stays open (the owner closes it).
  void Stop();
  bool running() const { return thread_.joinable(); }

 private:
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace microseg
