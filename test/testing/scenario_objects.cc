#include "testing/scenario_objects.h"

#include <iterator>
#include <utility>
#include <vector>

#include "ingest/manifest_loader.h"

namespace microseg::testutil {
namespace {

template <typename T>
void AppendAll(std::vector<T>& into, std::vector<T>& from) {
  std::move(from.begin(), from.end(), std::back_inserter(into));
}

Status Merge(ObjectSet& into, ObjectSet from) {
  AppendAll(into.namespaces, from.namespaces);
  AppendAll(into.pods, from.pods);
  AppendAll(into.nodes, from.nodes);
  AppendAll(into.services, from.services);
  AppendAll(into.network_policies, from.network_policies);
  AppendAll(into.admin_network_policies, from.admin_network_policies);
  AppendAll(into.workloads, from.workloads);
  AppendAll(into.ip_lists, from.ip_lists);
  AppendAll(into.rulesets, from.rulesets);
  AppendAll(into.enforcement_modes, from.enforcement_modes);
  if (from.baseline_admin_network_policy) {
    if (into.baseline_admin_network_policy) {
      return Status::Error("two BaselineAdminNetworkPolicies (layout and scenario)");
    }
    into.baseline_admin_network_policy = std::move(from.baseline_admin_network_policy);
  }
  return Status::Ok();
}

}  // namespace

Result<ObjectSet> LoadScenarioObjects(const Scenario& s) {
  ObjectSet objects;
  if (!s.layout_path.empty()) {
    auto layout = LoadManifests({s.layout_path});
    if (!layout.ok()) return layout.status();
    objects = std::move(layout->objects);
  }
  if (!s.manifests.empty()) {
    auto own = ParseManifests(s.manifests, s.path);
    if (!own.ok()) return own.status();
    if (Status st = Merge(objects, std::move(own->objects)); !st.ok()) return st;
  }
  return objects;
}

Result<Endpoint> ResolveTableName(const PolicyEngine& engine, const ObjectSet& objects,
                             const std::string& name, std::optional<IpFamily> family) {
  if (!family) return engine.Resolve(name);
  const std::vector<IpAddress>* ips = nullptr;
  if (name.rfind("node/", 0) == 0) {
    for (const Node& n : objects.nodes) {
      if ("node/" + n.name == name) ips = &n.ips;
    }
  } else if (name.find('/') != std::string::npos) {
    for (const Pod& p : objects.pods) {
      if (p.Key() == name) ips = &p.ips;
    }
  }
  if (ips == nullptr) return engine.Resolve(name);  // an address, or unknown
  for (const IpAddress& ip : *ips) {
    if (ip.family() == *family) return engine.Resolve(ip.ToString());
  }
  return Status::Error(name + " has no address of the requested family");
}

}  // namespace microseg::testutil
