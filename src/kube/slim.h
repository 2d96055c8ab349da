// Slim: an object cut down to the fields microseg's decoders read.
//
// Pods and Nodes change many times a minute for reasons policy does not
// care about (conditions, heartbeats, container statuses). Keeping only
// what the decoders read (src/ingest/decode_kubernetes.cc) makes those
// updates compare equal, so they are never forwarded, and keeps the
// cache and the controller's copy small. Every kind loses
// metadata.managedFields, annotations and other bookkeeping; Pod keeps
// spec.{nodeName, hostNetwork, [init]containers[].ports} and
// status.{phase, podIP, podIPs}; Node keeps status.addresses. Other kinds
// keep spec and status whole.
//
// Pure; input that is not shaped as expected passes through, so the
// decoder, not this, reports it.
#pragma once

#include <nlohmann/json.hpp>

#include "kube/resources.h"

namespace microseg::kube {

nlohmann::json Slim(const Resource& resource, const nlohmann::json& object);

}  // namespace microseg::kube
