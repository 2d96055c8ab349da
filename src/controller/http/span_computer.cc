#include "controller/http/span_computer.h"

#include <set>

#include "controller/api/object_json.h"
#include "ingest/manifest_loader.h"
#include "policy/policy_engine.h"

namespace microseg {

namespace {

// The store keys of the objects in `span`.
std::set<ObjectKey> KeysOf(const ObjectSet& span) {
  std::set<ObjectKey> keys;
  for (const Namespace& o : span.namespaces) keys.insert({"Namespace", "", o.name});
  for (const Pod& o : span.pods) keys.insert({"Pod", o.namespace_name, o.name});
  for (const Node& o : span.nodes) keys.insert({"Node", "", o.name});
  for (const Service& o : span.services) keys.insert({"Service", o.namespace_name, o.name});
  for (const NetworkPolicy& o : span.network_policies) {
    keys.insert({"NetworkPolicy", o.namespace_name, o.name});
  }
  for (const AdminNetworkPolicy& o : span.admin_network_policies) {
    keys.insert({"AdminNetworkPolicy", "", o.name});
  }
  if (span.baseline_admin_network_policy) {
    keys.insert({"BaselineAdminNetworkPolicy", "", span.baseline_admin_network_policy->name});
  }
  for (const Workload& o : span.workloads) keys.insert({"Workload", "", o.name});
  for (const IpList& o : span.ip_lists) keys.insert({"IPList", "", o.name});
  for (const Ruleset& o : span.rulesets) keys.insert({"Ruleset", "", o.name});
  for (const EnforcementMode& o : span.enforcement_modes) {
    keys.insert({"EnforcementMode", "", o.name});
  }
  return keys;
}

}  // namespace

SpanComputer::SpanComputer() = default;
SpanComputer::~SpanComputer() = default;

Result<Snapshot> SpanComputer::Span(const Snapshot& all, const std::string& node) {
  std::lock_guard<std::mutex> lock(mu_);
  if (engine_ == nullptr || revision_ != all.revision) {
    engine_.reset();
    // What the store holds was validated by apply; a failure here means a
    // stored document no longer decodes (a newer controller wrote it).
    Result<LoadedManifests> decoded =
        ParseManifests(DumpJson(RenderList(all)), "store@" + std::to_string(all.revision));
    if (!decoded.ok()) return decoded.status();
    auto engine = std::make_unique<PolicyEngine>();
    engine->Load(std::move(decoded->objects));
    engine_ = std::move(engine);
    revision_ = all.revision;
  }
  std::set<ObjectKey> keys = KeysOf(engine_->SpanFor(node));
  Snapshot out;
  out.revision = all.revision;
  for (const StoredObject& object : all.objects) {
    if (keys.count(object.key)) out.objects.push_back(object);
  }
  return out;
}

}  // namespace microseg
