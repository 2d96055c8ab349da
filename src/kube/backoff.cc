#include "kube/backoff.h"

#include <algorithm>

namespace microseg::kube {

Backoff::Backoff(BackoffOptions options, uint64_t seed)
    : options_(options), current_(options.initial), random_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  int64_t d = std::max<int64_t>(1, current_.count());
  std::uniform_int_distribution<int64_t> pick(d / 2, d);
  std::chrono::milliseconds delay(pick(random_));
  current_ = std::min(options_.max, current_ * 2);
  return delay;
}

}  // namespace microseg::kube
