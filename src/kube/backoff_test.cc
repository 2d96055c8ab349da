#include "kube/backoff.h"

#include <gtest/gtest.h>

namespace microseg::kube {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesWithJitterUpToMaxAndResets) {
  Backoff backoff({milliseconds(100), milliseconds(1000)}, /*seed=*/7);
  int64_t ceiling = 100;
  for (int i = 0; i < 8; ++i) {
    int64_t d = backoff.Next().count();
    EXPECT_GE(d, ceiling / 2) << i;
    EXPECT_LE(d, ceiling) << i;
    ceiling = std::min<int64_t>(1000, ceiling * 2);
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 100);
}

TEST(Backoff, SeedsGiveDifferentDelays) {
  Backoff a({milliseconds(1000), milliseconds(30000)}, 1);
  Backoff b({milliseconds(1000), milliseconds(30000)}, 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= a.Next() != b.Next();
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace microseg::kube
