// The differential check of compiled plans against the engine (test-only,
// header-only): for a cluster, compile every node's Plan, then for every
// pair of addresses (endpoints and external probes), protocol and port,
// compare PolicyEngine::Check with what the kernel would do (PlanEvaluator
// over all plans), direction by direction.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "plan/compiler.h"
#include "plan/plan_evaluator.h"
#include "plan/random_cluster.h"

namespace microseg::plantest {

// The verdict the kernel should give for one direction of Check's answer.
inline PlanVerdict ExpectedVerdict(const DirectionVerdict& v) {
  if (v.allowed) return PlanVerdict::kAllow;
  return v.mode == Mode::kVisibility ? PlanVerdict::kLogDeny : PlanVerdict::kDeny;
}

struct DifferentialResult {
  size_t flows = 0;  // (src, dst, protocol, port) compared
  size_t pairs = 0;  // (src, dst) address pairs compared
  std::vector<std::string> disagreements;  // at most `max_reports`, one line each
  size_t disagreement_count = 0;
};

// How each node's plan is compiled: from the whole cluster, or as the
// agent does, from an engine loaded with the node's span only.
enum class PlanSource { kCluster, kSpan };

inline DifferentialResult CompareWithPlans(const ObjectSet& objects, size_t max_reports = 5,
                                           PlanSource source = PlanSource::kCluster) {
  PolicyEngine engine;
  engine.Load(objects);
  std::set<std::string> nodes;
  for (const Pod& p : objects.pods) nodes.insert(p.node_name);
  for (const Node& n : objects.nodes) nodes.insert(n.name);
  for (const Workload& w : objects.workloads) {
    if (!w.host.empty()) nodes.insert(w.host);
  }
  std::vector<Plan> plans;
  for (const std::string& n : nodes) {
    if (source == PlanSource::kCluster) {
      plans.push_back(CompileForNode(engine, n, PlanOptions{}));
      continue;
    }
    PolicyEngine agent;
    agent.Load(engine.SpanFor(n));
    plans.push_back(CompileForNode(agent, n, PlanOptions{}));
  }
  PlanEvaluator kernel(std::move(plans));

  std::vector<Endpoint> parties = engine.Endpoints(/*all_kinds=*/true);
  for (const IpAddress& ip : ExternalProbes()) {
    auto e = engine.Resolve(ip.ToString());
    if (e.ok()) parties.push_back(*e);
  }
  std::vector<uint16_t> ports = PortPool();
  ports.push_back(82);    // just past a range
  ports.push_back(1234);  // in no rule

  DifferentialResult out;
  for (const Endpoint& src : parties) {
    for (const Endpoint& dst : parties) {
      if (!src.has_ip || !dst.has_ip || src.ip.family() != dst.ip.family()) continue;
      // An endpoint's traffic to itself never leaves it (no node hook sees it).
      if (src.kind == dst.kind && src.name == dst.name) continue;
      ++out.pairs;
      for (Protocol proto : Protocols()) {
        for (uint16_t port : ports) {
          ++out.flows;
          Verdict model = engine.Check(src, dst, proto, port);
          FlowDecision plan = kernel.Evaluate(src.ip, dst.ip, IpProtocolNumber(proto), port);
          PlanVerdict want_eg = ExpectedVerdict(model.egress), want_in = ExpectedVerdict(model.ingress);
          if (plan.failsafe || (plan.egress == want_eg && plan.ingress == want_in)) continue;
          if (++out.disagreement_count > max_reports) continue;
          out.disagreements.push_back(
              src.DisplayName() + " (" + src.ip.ToString() + ") -> " + dst.DisplayName() + " (" +
              dst.ip.ToString() + ") " + std::string(ProtocolName(proto)) + "/" + std::to_string(port) +
              ": model egress " + std::string(PlanVerdictName(want_eg)) + " [" + model.egress.policy +
              " " + model.egress.rule + "], plan " + std::string(PlanVerdictName(plan.egress)) +
              "; model ingress " + std::string(PlanVerdictName(want_in)) + " [" + model.ingress.policy +
              " " + model.ingress.rule + "], plan " + std::string(PlanVerdictName(plan.ingress)));
        }
      }
    }
  }
  return out;
}

}  // namespace microseg::plantest
