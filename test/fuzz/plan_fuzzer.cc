// The plan differential check on fuzzer-chosen clusters: the input bytes
// drive ClusterGenerator (src/plan/random_cluster.h), and any flow where
// the compiled plans and PolicyEngine::Check disagree aborts with the flows
// printed.
#include <cstdio>
#include <cstdlib>

#include "plan/plan_differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  microseg::plantest::Entropy entropy(data, size);
  microseg::ObjectSet cluster = microseg::plantest::ClusterGenerator(&entropy).Generate();
  microseg::plantest::DifferentialResult r = microseg::plantest::CompareWithPlans(cluster);
  if (r.disagreement_count == 0) return 0;
  std::fprintf(stderr, "%zu flows disagree, e.g.:\n", r.disagreement_count);
  for (const std::string& d : r.disagreements) std::fprintf(stderr, "  %s\n", d.c_str());
  std::abort();
}
