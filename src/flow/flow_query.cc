#include "flow/flow_query.h"

#include "flow/flow_time.h"

namespace microseg {

std::vector<AggregatedFlow> QueryFlows(const std::vector<AggregatedFlow>& flows,
                                       const FlowQuery& q) {
  std::vector<AggregatedFlow> out;
  for (const AggregatedFlow& f : flows) {
    if (q.verdict && f.verdict != *q.verdict) continue;
    if (q.since && f.last < *q.since) continue;
    if (q.from && !q.from->Matches(*f.src)) continue;
    if (q.to && !q.to->Matches(*f.dst)) continue;
    out.push_back(f);
    if (q.limit && out.size() == q.limit) break;
  }
  return out;
}

nlohmann::json EndpointInfoToJson(const EndpointInfo& e) {
  nlohmann::json j = {{"name", e.DisplayName()}, {"kind", EndpointKindName(e.kind)}};
  if (e.detail == EndpointInfo::Detail::kRollup) j["folded"] = true;
  if (e.detail == EndpointInfo::Detail::kOther) j["kind"] = "Other";
  if (!e.namespace_name.empty()) j["namespace"] = e.namespace_name;
  if (!e.labels.empty()) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [k, v] : e.labels.entries()) labels[k] = v;
    j["labels"] = labels;
  }
  if (!e.node.empty()) j["node"] = e.node;
  if (!e.ips.empty()) {
    nlohmann::json ips = nlohmann::json::array();
    for (const IpAddress& ip : e.ips) ips.push_back(ip.ToString());
    j["ips"] = ips;
  }
  return j;
}

nlohmann::json AggregatedFlowToJson(const AggregatedFlow& f) {
  nlohmann::json j = {{"src", EndpointInfoToJson(*f.src)},
                      {"dst", EndpointInfoToJson(*f.dst)},
                      {"protocol", ProtocolName(f.protocol)},
                      {"port", f.port},
                      {"verdict", FlowVerdictName(f.verdict)},
                      {"flows", f.flows},
                      {"packets", f.packets},
                      {"bytes", f.bytes},
                      {"first", FormatRfc3339(f.first)},
                      {"last", FormatRfc3339(f.last)}};
  if (f.decision) {
    j["model"] = FlowVerdictName(f.decision->model);
    j["policies"] = f.decision->policies;
  }
  return j;
}

}  // namespace microseg
