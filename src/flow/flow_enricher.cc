#include "flow/flow_enricher.h"

#include <bit>

namespace microseg {
namespace {

std::string DirectionPolicy(Direction d, const DirectionVerdict& v) {
  if (!v.policy.empty()) {
    std::string out = v.policy_kind + " " + v.policy;
    if (!v.rule.empty()) out += " " + v.rule;
    return out;
  }
  if (v.allowed) return "";
  return std::string(DirectionName(d)) +
         (v.tier == Tier::kApplication ? " isolation" : " default deny");
}

FlowVerdict ModelVerdict(const Verdict& v) {
  if (v.allowed()) return FlowVerdict::kAllow;
  return v.would_deny() ? FlowVerdict::kWouldDeny : FlowVerdict::kDeny;
}

}  // namespace

FlowEnricher::FlowEnricher() : FlowEnricher(nullptr, nullptr) {}

FlowEnricher::FlowEnricher(const PolicyEngine* engine, const EndpointDirectory* directory,
                           EnricherOptions options)
    : engine_(engine), directory_(directory), options_(options) {
  if (engine_) decisions_.resize(std::bit_ceil(std::max<size_t>(options_.decision_cache_slots, 1)));
}

void FlowEnricher::Invalidate() {
  endpoints_.clear();
  infos_.clear();
  for (DecisionSlot& slot : decisions_) slot = DecisionSlot();
  interned_decisions_.clear();
}

EndpointRef FlowEnricher::Describe(const Endpoint& e) const {
  EndpointInfo info;
  info.kind = e.kind;
  info.key = e.kind == EndpointKind::kExternal ? e.ip.ToString() : e.name;
  if (e.kind == EndpointKind::kExternal) info.ips.push_back(e.ip);
  if (directory_) {
    if (e.kind == EndpointKind::kPod) {
      if (const Pod* pod = directory_->FindPod(e.name)) {
        info.namespace_name = pod->namespace_name;
        info.labels = pod->labels;
        info.node = pod->node_name;
        info.ips = pod->ips;
        info.ports = pod->ports;
      }
    } else if (e.kind == EndpointKind::kWorkload) {
      if (const Workload* w = directory_->FindWorkload(e.name)) {
        info.labels = w->labels;
        info.node = w->host;
        info.unmanaged = w->unmanaged;
        info.ips = w->ips;
        info.ports = w->ports;
      }
    } else if (e.kind == EndpointKind::kNode) {
      if (const Node* n = directory_->FindNode(e.name)) {
        info.labels = n->labels;
        info.node = n->name;
        info.ips = n->ips;
      }
    }
  }
  if (info.ips.empty()) info.ips.push_back(e.ip);
  return MakeEndpointInfo(std::move(info));
}

const FlowEnricher::CachedEndpoint& FlowEnricher::Resolve(const IpAddress& ip) {
  if (auto it = endpoints_.find(ip); it != endpoints_.end()) return it->second;
  CachedEndpoint cached;
  if (engine_) {
    // Resolve of an address never fails: unowned addresses are external.
    auto e = engine_->Resolve(ip.ToString());
    if (e.ok()) cached.endpoint = *e;
  }
  if (!cached.endpoint.has_ip) {
    cached.endpoint.kind = EndpointKind::kExternal;
    cached.endpoint.name = ip.ToString();
    cached.endpoint.ip = ip;
    cached.endpoint.has_ip = true;
  }
  std::string info_key =
      std::string(EndpointKindName(cached.endpoint.kind)) + "/" + cached.endpoint.name;
  EndpointRef& info = infos_[info_key];
  if (!info) info = Describe(cached.endpoint);
  cached.info = info;
  return endpoints_.emplace(ip, std::move(cached)).first->second;
}

void FlowEnricher::BoundCache(size_t adding) {
  if (endpoints_.size() + adding <= options_.max_cached_endpoints) return;
  endpoints_.clear();
  infos_.clear();
}

EndpointRef FlowEnricher::Lookup(const IpAddress& ip) {
  BoundCache(1);
  return Resolve(ip).info;
}

DecisionRef FlowEnricher::Decide(const CachedEndpoint& src, const CachedEndpoint& dst,
                                 Protocol protocol, uint16_t port) {
  size_t h = std::hash<IpAddress>()(src.endpoint.ip) * 31 + std::hash<IpAddress>()(dst.endpoint.ip);
  h = (h * 31 + static_cast<size_t>(protocol)) * 65599 + port;
  DecisionSlot& slot = decisions_[(h ^ (h >> 17)) & (decisions_.size() - 1)];
  if (slot.used && slot.port == port && slot.protocol == protocol && slot.src == src.endpoint.ip &&
      slot.dst == dst.endpoint.ip) {
    return slot.decision;
  }
  Verdict v = engine_->Check(src.endpoint, dst.endpoint, protocol, port);
  FlowDecision d;
  d.model = ModelVerdict(v);
  for (auto [dir, dv] :
       {std::pair{Direction::kEgress, &v.egress}, std::pair{Direction::kIngress, &v.ingress}}) {
    std::string p = DirectionPolicy(dir, *dv);
    if (!p.empty()) d.policies.push_back(std::move(p));
  }
  std::string key(FlowVerdictName(d.model));
  for (const std::string& p : d.policies) key += "|" + p;
  DecisionRef& interned = interned_decisions_[key];
  if (!interned) interned = std::make_shared<const FlowDecision>(std::move(d));
  slot = {true, src.endpoint.ip, dst.endpoint.ip, protocol, port, interned};
  return interned;
}

EnrichedFlow FlowEnricher::Enrich(FlowRecord record) {
  EnrichedFlow out;
  // Restart the cache first: references into an unordered_map survive
  // inserts (and rehashing), not clear().
  BoundCache(2);
  const CachedEndpoint& src = Resolve(record.src);
  const CachedEndpoint& dst = Resolve(record.dst);
  out.src = src.info;
  out.dst = dst.info;
  if (engine_) out.decision = Decide(src, dst, record.protocol, record.port);
  out.record = std::move(record);
  return out;
}

}  // namespace microseg
