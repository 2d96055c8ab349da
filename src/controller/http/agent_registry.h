// AgentRegistry: the last status each agent reported, in memory.
//
// Status is runtime state, not desired state: keeping it in the Store would
// bump the revision on every report and wake every agent's watch. So it
// lives in the controller's memory, is lost on restart, and agents send it
// again (after each sync, on reconnect and every 30 s).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"

namespace microseg {

struct AgentStatus {
  std::string name;              // the agent's node name
  int64_t resource_version = 0;  // of the span its kernel enforces (0: none yet)
  int64_t plan_elements = 0;
  std::string last_error;  // "" after a successful sync
  int64_t syncs = 0;
  int64_t failures = 0;
  std::chrono::system_clock::time_point reported;  // set by the registry
};

class AgentRegistry {
 public:
  // Bounds memory whatever clients send.
  static constexpr size_t kMaxAgents = 100000;

  // Records `status` (stamped now). Fails when a new name would exceed
  // kMaxAgents.
  Status Report(AgentStatus status) EXCLUDES(mu_);
  std::vector<AgentStatus> List() const EXCLUDES(mu_);  // sorted by name
  std::optional<AgentStatus> Get(const std::string& name) const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<std::string, AgentStatus> agents_ GUARDED_BY(mu_);
};

}  // namespace microseg
