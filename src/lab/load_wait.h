// How long the lab waits for its agents: a fixed wait fails on a loaded
// machine (CI runs at a load of 5-15 on 2 cores), so the wait grows with the
// load per CPU, up to a cap.
#pragma once

#include <chrono>

namespace microseg::lab {

// The agents' first apply takes ~1 s on an idle machine; 20 s is the wait
// at a load of at most one runnable task per CPU.
inline constexpr std::chrono::seconds kBaseAgentWait{20};
// However loaded the machine, `lab up` gives up after this long.
inline constexpr std::chrono::seconds kMaxAgentWait{300};

// `base` times max(1, load1 / cpus), capped at `cap` (never below base).
std::chrono::seconds ScaleWaitForLoad(std::chrono::seconds base, double load1, int cpus,
                                      std::chrono::seconds cap);

// ScaleWaitForLoad(base, the 1-minute average of /proc/loadavg, the machine's
// CPUs (hardware_concurrency), kMaxAgentWait); `base` when the load is unknown.
std::chrono::seconds LoadScaledWait(std::chrono::seconds base = kBaseAgentWait);

}  // namespace microseg::lab
