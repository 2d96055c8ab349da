// An Agent together with the kernel handles it enforces through, so the
// daemon and the lab's in-process agents build it the same way.
//
// Netlink sockets belong to the namespace of the thread that creates them:
// construct a KernelAgent on a thread inside the namespace to enforce (the
// nft executor opens its socket here), and run Agent::Run there too (the
// conntrack flusher opens a socket per flush, in the flushing thread's).
#pragma once

#include "agent/agent.h"
#include "dataplane/nft/conntrack.h"
#include "dataplane/nft/libnftables_executor.h"

namespace microseg {

class KernelAgent {
 public:
  KernelAgent(AgentOptions options, PolicySource source);
  KernelAgent(const KernelAgent&) = delete;
  KernelAgent& operator=(const KernelAgent&) = delete;

  Agent& agent() { return agent_; }

 private:
  nft::LibNftablesExecutor executor_;
  nft::NetlinkConntrackFlusher conntrack_;
  Agent agent_;  // last: it uses the two above
};

}  // namespace microseg
