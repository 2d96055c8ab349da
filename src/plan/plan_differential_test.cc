// Differential test: the compiled plans of random clusters against the
// engine's Check, every address pair, protocol and port (see
// plan_differential.h; test/fuzz/plan_fuzzer.cc runs the same check on
// fuzzer-chosen clusters).
#include <gtest/gtest.h>

#include "plan/plan_differential.h"

namespace microseg::plantest {
namespace {

std::string Describe(const DifferentialResult& r) {
  std::string text;
  for (const std::string& d : r.disagreements) text += "\n  " + d;
  return text;
}

TEST(PlanDifferentialTest, SeededClustersAgreeWithTheEngine) {
  constexpr uint64_t kClusters = 300;
  size_t pairs = 0, flows = 0;
  for (uint64_t seed = 1; seed <= kClusters; ++seed) {
    Entropy entropy = Entropy::Seeded(seed);
    ObjectSet cluster = ClusterGenerator(&entropy).Generate();
    DifferentialResult r = CompareWithPlans(cluster);
    pairs += r.pairs;
    flows += r.flows;
    EXPECT_EQ(r.disagreement_count, 0u) << "seed " << seed << Describe(r);
  }
  // The slice is not vacuous: it compares a real number of flows.
  EXPECT_GT(pairs, kClusters * 20);
  std::printf("plan differential: %llu clusters, %zu address pairs, %zu flows\n",
              static_cast<unsigned long long>(kClusters), pairs, flows);
}

// As the agent compiles: from an engine loaded with the node's span only,
// including named ports of egress rules with an any / block peer (the span
// carries the endpoints inside the peer that declare the port).
TEST(PlanDifferentialTest, SeededClustersAgreeWhenCompiledFromTheNodeSpan) {
  constexpr uint64_t kClusters = 150;
  size_t pairs = 0;
  for (uint64_t seed = 10001; seed < 10001 + kClusters; ++seed) {
    Entropy entropy = Entropy::Seeded(seed);
    ObjectSet cluster = ClusterGenerator(&entropy).Generate();
    DifferentialResult r = CompareWithPlans(cluster, 5, PlanSource::kSpan);
    pairs += r.pairs;
    EXPECT_EQ(r.disagreement_count, 0u) << "seed " << seed << Describe(r);
  }
  EXPECT_GT(pairs, kClusters * 20);
}

}  // namespace
}  // namespace microseg::plantest
