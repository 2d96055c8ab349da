// Exponential backoff with jitter, for reconnecting to the API server.
//
// Each delay is drawn uniformly from [d/2, d], where d starts at `initial`
// and doubles after every draw up to `max` ("equal jitter": never a
// thundering herd, never a zero wait). Reset() returns to `initial` after
// a success. Not thread-safe; one per reflector.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace microseg::kube {

struct BackoffOptions {
  std::chrono::milliseconds initial{500};  // default 500 ms
  std::chrono::milliseconds max{30000};    // default 30 s
};

class Backoff {
 public:
  Backoff(BackoffOptions options, uint64_t seed);

  std::chrono::milliseconds Next();
  void Reset() { current_ = options_.initial; }

 private:
  BackoffOptions options_;
  std::chrono::milliseconds current_;
  std::mt19937_64 random_;
};

}  // namespace microseg::kube
