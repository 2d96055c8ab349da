// StopSignal: a one-way "stop now" flag that sleepers can wait on.
//
// Thread-safe. Request() wakes every Wait() at once, so a reflector in a
// backoff sleep stops without waiting the sleep out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace microseg::kube {

class StopSignal {
 public:
  void Request() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

  bool stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
  }

  // Sleeps up to `duration`; returns true when stop was requested.
  bool Wait(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, duration, [this] { return stopped_; });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
};

}  // namespace microseg::kube
