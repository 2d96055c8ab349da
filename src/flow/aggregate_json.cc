#include "flow/aggregate_json.h"

#include "flow/flow_query.h"
#include "flow/flow_time.h"

namespace microseg {

namespace {

using json = nlohmann::json;

const std::string* StringField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

uint64_t CountField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string WithoutPrefix(const std::string& s, std::string_view prefix) {
  return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
}

}  // namespace

Result<EndpointRef> EndpointInfoFromJson(const json& j) {
  if (!j.is_object()) return Status::Error("endpoint: expected an object");
  const std::string* name = StringField(j, "name");
  const std::string* kind = StringField(j, "kind");
  if (!name || !kind) return Status::Error("endpoint: name and kind required");
  EndpointInfo e;
  // Inverse of EndpointInfo::DisplayName().
  if (*kind == "Other") {
    e.detail = EndpointInfo::Detail::kOther;
    e.key = "other";
  } else if (*kind == "Pod") {
    e.kind = EndpointKind::kPod;
    e.key = *name;
  } else if (*kind == "Workload") {
    e.kind = EndpointKind::kWorkload;
    e.key = WithoutPrefix(*name, "workload/");
  } else if (*kind == "Node") {
    e.kind = EndpointKind::kNode;
    e.key = WithoutPrefix(*name, "node/");
  } else if (*kind == "External") {
    e.kind = EndpointKind::kExternal;
    e.key = *name;
  } else {
    return Status::Error("endpoint: unknown kind \"" + *kind + "\"");
  }
  if (j.value("folded", false)) {
    e.detail = EndpointInfo::Detail::kRollup;
    e.key = WithoutPrefix(*name, "~");
  }
  if (const std::string* ns = StringField(j, "namespace")) e.namespace_name = *ns;
  if (const std::string* node = StringField(j, "node")) e.node = *node;
  if (auto it = j.find("labels"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) e.labels.Set(k, v.get<std::string>());
    }
  }
  if (auto it = j.find("ips"); it != j.end() && it->is_array()) {
    for (const json& ip : *it) {
      if (!ip.is_string()) continue;
      if (auto parsed = IpAddress::Parse(ip.get<std::string>())) e.ips.push_back(*parsed);
    }
  }
  return MakeEndpointInfo(std::move(e));
}

Result<AggregatedFlow> AggregatedFlowFromJson(const json& j) {
  if (!j.is_object()) return Status::Error("expected an object");
  AggregatedFlow f;
  for (auto [field, slot] : {std::pair{"src", &f.src}, std::pair{"dst", &f.dst}}) {
    auto it = j.find(field);
    if (it == j.end()) return Status::Error(std::string(field) + ": required");
    auto e = EndpointInfoFromJson(*it);
    if (!e.ok()) return Status::Error(std::string(field) + ": " + e.status().message());
    *slot = *e;
  }
  const std::string* protocol = StringField(j, "protocol");
  const std::string* verdict = StringField(j, "verdict");
  auto p = protocol ? ParseProtocol(*protocol) : std::nullopt;
  auto v = verdict ? ParseFlowVerdict(*verdict) : std::nullopt;
  if (!p || !v) return Status::Error("protocol and verdict required");
  f.protocol = *p;
  f.verdict = *v;
  f.port = static_cast<uint16_t>(CountField(j, "port"));
  f.flows = CountField(j, "flows");
  f.packets = CountField(j, "packets");
  f.bytes = CountField(j, "bytes");
  const std::string* first = StringField(j, "first");
  const std::string* last = StringField(j, "last");
  auto tf = first ? ParseRfc3339(*first) : std::nullopt;
  auto tl = last ? ParseRfc3339(*last) : std::nullopt;
  if (!tf || !tl) return Status::Error("first and last required");
  f.first = *tf;
  f.last = *tl;
  if (const std::string* model = StringField(j, "model")) {
    auto mv = ParseFlowVerdict(*model);
    if (!mv) return Status::Error("model: unknown verdict \"" + *model + "\"");
    FlowDecision d;
    d.model = *mv;
    if (auto it = j.find("policies"); it != j.end() && it->is_array()) {
      for (const json& p2 : *it) {
        if (p2.is_string()) d.policies.push_back(p2.get<std::string>());
      }
    }
    f.decision = std::make_shared<const FlowDecision>(std::move(d));
  }
  return f;
}

Result<std::vector<AggregatedFlow>> AggregatedFlowsFromJson(const json& items) {
  if (!items.is_array()) return Status::Error("flows: expected an array");
  std::vector<AggregatedFlow> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto f = AggregatedFlowFromJson(items[i]);
    if (!f.ok()) return Status::Error("flows[" + std::to_string(i) + "]: " + f.status().message());
    out.push_back(std::move(*f));
  }
  return out;
}

}  // namespace microseg
