#include "lab/load_wait.h"

#include <algorithm>
#include <fstream>
#include <thread>

namespace microseg::lab {

std::chrono::seconds ScaleWaitForLoad(std::chrono::seconds base, double load1, int cpus,
                                      std::chrono::seconds cap) {
  double factor = std::max(1.0, load1 / std::max(1, cpus));
  double seconds = static_cast<double>(base.count()) * factor;
  double limit = static_cast<double>(std::max(base, cap).count());
  return std::chrono::seconds(static_cast<long long>(std::min(seconds, limit)));
}

std::chrono::seconds LoadScaledWait(std::chrono::seconds base) {
  std::ifstream f("/proc/loadavg");
  double load1 = 0;
  if (!(f >> load1)) return base;
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  return ScaleWaitForLoad(base, load1, cpus, kMaxAgentWait);
}

}  // namespace microseg::lab
