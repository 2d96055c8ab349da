// EndpointInfo: who is behind an address, as a flow consumer sees it.
//
// Built once per endpoint by FlowEnricher and shared (immutable, by
// shared_ptr) by every aggregate that names the endpoint, so a million
// aggregates of a thousand pods hold a thousand label sets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/inventory.h"
#include "model/labels.h"
#include "model/ruleset.h"

namespace microseg {

struct EndpointInfo {
  // kEndpoint: one pod, workload, node or external address. kRollup: the
  // endpoints of one (kind, namespace, app label) folded together when the
  // aggregator was full. kOther: everything folded past the rollups.
  enum class Detail : uint8_t { kEndpoint, kRollup, kOther };
  Detail detail = Detail::kEndpoint;
  EndpointKind kind = EndpointKind::kExternal;
  // Unique within (detail, kind): "ns/pod", workload or node name, IP text
  // for external addresses; the fold key for rollups; "other".
  std::string key;
  std::string namespace_name;  // pods (and pod rollups)
  Labels labels;
  std::string node;                  // pods: spec.nodeName; workloads: host; nodes: their name
  bool unmanaged = false;            // workloads that no agent enforces
  std::vector<IpAddress> ips;        // every IP the endpoint holds; the observed one for externals
  std::vector<ContainerPort> ports;  // named ports (pods, workloads)
  size_t hash = 0;                   // of (detail, kind, key); set by MakeEndpointInfo

  // "shop/web-1", "workload/db", "node/n1", "203.0.113.7"; rollups "~shop/app=web".
  std::string DisplayName() const;
  bool SameEndpoint(const EndpointInfo& other) const {
    return hash == other.hash && detail == other.detail && kind == other.kind && key == other.key;
  }
};

using EndpointRef = std::shared_ptr<const EndpointInfo>;

// Sets `hash` and freezes the value.
EndpointRef MakeEndpointInfo(EndpointInfo info);

}  // namespace microseg
