// Probe: real connections between every pair of lab endpoints (pods,
// workloads, hostNetwork pods, nodes with an address and external
// addresses, named as PolicyEngine::Resolve names them: "ns/name",
// "workload/NAME", "node/NAME", "203.0.113.7") on one port, over IPv4 or
// IPv6, next to the model's verdict for the same flow (PolicyEngine::Check).
//
// TCP/SCTP: a connect that completes within the timeout is "allow". UDP: a
// datagram echoed back within the timeout (sent twice) is "allow". A probe
// that cannot make its socket (SCTP where the kernel has none) is "not
// observable" and counts neither way. Pairs
// whose destination does not listen on the port, and pairs in one namespace
// (a pod to itself, two workloads of one host: the flow never leaves the
// host), are left out.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/topology.h"
#include "policy/policy_engine.h"

namespace microseg::lab {

// What a probe saw when it could not try the connection at all (no socket
// of that protocol in this kernel): neither allow nor deny.
inline constexpr char kNotObservable[] = "not-observable";

struct ProbeRow {
  std::string from, to;
  std::string observed;  // "allow" | "deny" | kNotObservable
  std::string model;     // Verdict::Name(): "allow" | "deny" | "would-deny"
  bool observable() const { return observed != kNotObservable; }
  bool agrees() const { return observed == (model == "deny" ? "deny" : "allow"); }
};

struct ProbeTable {
  uint16_t port = 0;
  Protocol protocol = Protocol::kTCP;
  IpFamily family = IpFamily::kV4;
  std::vector<ProbeRow> rows;  // sorted by (from, to)

  // Observable rows whose observation differs from the model; rows not
  // observable are left out of agreement (counted by NotObservable).
  std::vector<ProbeRow> Disagreements() const;
  size_t NotObservable() const;
  // {"port":80,"protocol":"TCP","family":"IPv4","rows":[{"from":..,"to":..,"observed":..,"model":..}]}
  nlohmann::json ToJson() const;
  // Truth tables (observed | model) and the disagreements, for people.
  std::string ToText() const;
};

struct ProbeOptions {
  std::chrono::milliseconds timeout{300};
  int parallelism = 32;
  // Only these sources / destinations (endpoint keys: "ns/pod",
  // "workload/NAME"); empty: every endpoint.
  std::set<std::string> from, to;
  // Over IPv6: between the endpoints' IPv6 addresses (LabEndpoint::ip6),
  // endpoints without one left out.
  IpFamily family = IpFamily::kV4;
};

ProbeTable Probe(const LabTopology& topology, const PolicyEngine& engine, Protocol protocol,
                 uint16_t port, const ProbeOptions& options = {});

}  // namespace microseg::lab
