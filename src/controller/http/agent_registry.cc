#include "controller/http/agent_registry.h"

namespace microseg {

Status AgentRegistry::Report(AgentStatus status) {
  status.reported = std::chrono::system_clock::now();
  MutexLock lock(&mu_);
  auto it = agents_.find(status.name);
  if (it == agents_.end()) {
    if (agents_.size() >= kMaxAgents) {
      return Status::Error("too many agents (at most " + std::to_string(kMaxAgents) + ")");
    }
    std::string name = status.name;
    agents_.emplace(std::move(name), std::move(status));
  } else {
    it->second = std::move(status);
  }
  return Status::Ok();
}

std::vector<AgentStatus> AgentRegistry::List() const {
  MutexLock lock(&mu_);
  std::vector<AgentStatus> out;
  out.reserve(agents_.size());
  for (const auto& [name, status] : agents_) out.push_back(status);
  return out;
}

std::optional<AgentStatus> AgentRegistry::Get(const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = agents_.find(name);
  if (it == agents_.end()) return std::nullopt;
  return it->second;
}

}  // namespace microseg
