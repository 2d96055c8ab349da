#include "agent/kernel_agent.h"

#include <utility>

namespace microseg {

KernelAgent::KernelAgent(AgentOptions options, PolicySource source)
    : agent_(std::move(options), std::move(source), &executor_) {
  // IP reuse: flows of an address that changed owner are cut (agent.h).
  agent_.set_conntrack(&conntrack_);
}

}  // namespace microseg
