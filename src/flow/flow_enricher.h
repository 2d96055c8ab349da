// FlowEnricher: turns addresses into endpoints and asks the model why.
//
// For each FlowRecord it resolves both addresses to pods, workloads, nodes
// or external addresses (PolicyEngine::Resolve), attaches their labels,
// namespace and node (EndpointDirectory), and records the verdict the
// policy model gives today with the deciding policy of each direction
// (PolicyEngine::Check). Without an engine every address is external and
// no decision is attached: flows can be aggregated before any manifest is
// known.
//
// Memory is bounded: endpoints are cached per IP up to
// `max_cached_endpoints` (then the cache restarts), decisions in a fixed
// direct-mapped table. Results never depend on cache state.
//
// Thread safety: none (caches). The engine and directory must outlive the
// enricher and not change under it; call Invalidate() after they change.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/endpoint_directory.h"
#include "flow/endpoint_info.h"
#include "flow/flow_record.h"
#include "policy/policy_engine.h"

namespace microseg {

// What the policy model says about a flow now (which may differ from what
// the dataplane did when it was observed, if policy changed since).
struct FlowDecision {
  FlowVerdict model = FlowVerdict::kAllow;
  // The deciding policy of each direction, egress first:
  // "NetworkPolicy x/y ingress[0]", "Ruleset db egress[1]",
  // "ingress isolation", "egress default deny". Directions decided by
  // nothing (default allow, unenforced) add nothing.
  std::vector<std::string> policies;
};
using DecisionRef = std::shared_ptr<const FlowDecision>;

struct EnrichedFlow {
  FlowRecord record;
  EndpointRef src;
  EndpointRef dst;
  DecisionRef decision;  // null without an engine
};

struct EnricherOptions {
  size_t max_cached_endpoints = size_t{1} << 20;
  size_t decision_cache_slots = size_t{1} << 16;  // rounded up to a power of two
};

class FlowEnricher {
 public:
  // No engine: addresses stay external, no decisions.
  FlowEnricher();
  FlowEnricher(const PolicyEngine* engine, const EndpointDirectory* directory,
               EnricherOptions options = {});

  EnrichedFlow Enrich(FlowRecord record);
  // The endpoint holding `ip` (external when nobody does).
  EndpointRef Lookup(const IpAddress& ip);
  void Invalidate();

 private:
  struct CachedEndpoint {
    Endpoint endpoint;
    EndpointRef info;
  };
  struct DecisionSlot {
    bool used = false;
    IpAddress src, dst;
    Protocol protocol = Protocol::kTCP;
    uint16_t port = 0;
    DecisionRef decision;
  };

  // Empties the endpoint cache when `adding` entries would overflow it.
  void BoundCache(size_t adding);
  const CachedEndpoint& Resolve(const IpAddress& ip);
  EndpointRef Describe(const Endpoint& e) const;
  DecisionRef Decide(const CachedEndpoint& src, const CachedEndpoint& dst, Protocol protocol,
                     uint16_t port);

  const PolicyEngine* engine_ = nullptr;
  const EndpointDirectory* directory_ = nullptr;
  EnricherOptions options_;
  std::unordered_map<IpAddress, CachedEndpoint> endpoints_;
  // Endpoints are shared by all their IPs: one EndpointInfo per pod.
  std::unordered_map<std::string, EndpointRef> infos_;
  std::vector<DecisionSlot> decisions_;
  std::unordered_map<std::string, DecisionRef> interned_decisions_;
};

}  // namespace microseg
