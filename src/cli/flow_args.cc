#include "cli/flow_args.h"

#include "cli/engine_source.h"

namespace microseg::cli {

void AddFlowOptions(CLI::App& app, FlowArgs& args) {
  AddPolicyInputOptions(app, &args.input);
  app.add_option("--from", args.from, "Source: NAMESPACE/POD, node/NAME, workload/NAME or an IP")
      ->required();
  app.add_option("--to", args.to, "Destination: NAMESPACE/POD, node/NAME, workload/NAME or an IP")
      ->required();
  app.add_option("--port", args.port, "Destination port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--protocol", args.protocol, "TCP, UDP or SCTP")
      ->check(CLI::IsMember({"TCP", "UDP", "SCTP"}, CLI::ignore_case));
  app.add_option("-o,--output", args.output, "text or json")->check(CLI::IsMember({"text", "json"}));
}

Result<ResolvedFlow> ResolveFlow(const FlowArgs& args) {
  ResolvedFlow flow;
  auto engine = LoadEngine(args.input);
  if (!engine.ok()) return engine.status();
  flow.engine = std::move(*engine);
  auto src = flow.engine->Resolve(args.from);
  if (!src.ok()) return Status::Error("--from: " + src.status().message());
  auto dst = flow.engine->Resolve(args.to);
  if (!dst.ok()) return Status::Error("--to: " + dst.status().message());
  flow.src = *src;
  flow.dst = *dst;
  std::string upper = args.protocol;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  flow.protocol = *ParseProtocol(upper);
  flow.port = static_cast<uint16_t>(args.port);
  return flow;
}

nlohmann::ordered_json DirectionJson(const Endpoint& at, const DirectionVerdict& v) {
  nlohmann::ordered_json j = {
      {"endpoint", at.DisplayName()},
      {"verdict", v.allowed ? "allow" : "deny"},
      {"tier", TierName(v.tier)},
  };
  if (v.tier != Tier::kUnenforced) j["mode"] = ModeName(v.mode);
  if (!v.policy.empty()) {
    j["policyKind"] = v.policy_kind;
    j["policy"] = v.policy;
  }
  if (!v.rule.empty()) j["rule"] = v.rule;
  j["reason"] = v.reason;
  return j;
}

nlohmann::ordered_json VerdictJson(const ResolvedFlow& flow, const Verdict& verdict) {
  return {
      {"from", flow.src.DisplayName()},
      {"to", flow.dst.DisplayName()},
      {"port", flow.port},
      {"protocol", ProtocolName(flow.protocol)},
      {"verdict", verdict.Name()},
      {"egress", DirectionJson(flow.src, verdict.egress)},
      {"ingress", DirectionJson(flow.dst, verdict.ingress)},
  };
}

std::string DirectionSummary(const DirectionVerdict& v) {
  std::string out = v.allowed ? "allow" : "deny";
  if (!v.allowed && v.mode == Mode::kVisibility) out = "would-deny";
  out += " (" + std::string(TierName(v.tier));
  if (!v.policy.empty()) out += ": " + v.policy_kind + " " + v.policy;
  if (!v.rule.empty()) out += " " + v.rule;
  return out + ")";
}

}  // namespace microseg::cli
