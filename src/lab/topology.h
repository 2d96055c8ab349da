// LabTopology: how the lab lays a cluster out in network namespaces.
//
//   ms-<lab>-fabric   bridge br0; one veth per node (100.64.255.0/24)
//   ms-<lab>-n<i>     one per node: routes, forwarding, the node's agent and
//                     its `table inet microseg` (pod traffic is forwarded here)
//   ms-<lab>-p<j>     one per pod: eth0 holds the pod's IP, default route via
//                     169.254.1.1 (proxy ARP on the node side, as Calico does)
// Every name starts with "ms-<lab>-", so `down` can sweep by prefix even
// after a crash. IPv4 pods only; pods without a node or IP are skipped.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/object_set.h"

namespace microseg::lab {

struct LabPort {
  Protocol protocol = Protocol::kTCP;
  uint16_t port = 0;
};

struct LabPod {
  std::string key;  // "ns/name"
  std::string node;
  std::string netns;
  std::string ip;
  int index = 0;  // veth name p<index> on the node side
  std::vector<LabPort> ports;
};

struct LabNode {
  std::string name;
  std::string netns;
  std::string fabric_ip;  // 100.64.255.<i+1>
};

struct LabTopology {
  std::string name;  // lab name: the "<lab>" of "ms-<lab>-"
  std::string fabric_netns;
  std::vector<LabNode> nodes;
  std::vector<LabPod> pods;  // sorted by key
  std::vector<std::string> skipped;  // "x/d: no spec.nodeName"

  std::string Prefix() const { return "ms-" + name + "-"; }
  const LabPod* FindPod(const std::string& key) const;
  const LabNode* FindNode(const std::string& name) const;

  nlohmann::json ToJson() const;
  static LabTopology FromJson(const nlohmann::json& j);
};

// Lays out `objects` (pods with IPv4 addresses and a node).
LabTopology PlanTopology(const std::string& lab_name, const ObjectSet& objects);

}  // namespace microseg::lab
