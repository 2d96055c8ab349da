#include "controller/http/agent_handlers.h"

#include <ctime>

#include "controller/api/api_kinds.h"
#include "controller/http/http_reply.h"
#include "ingest/json_text.h"

namespace microseg {

namespace {

constexpr size_t kMaxErrorChars = 4096;

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Json RenderAgent(const AgentStatus& a) {
  auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                              a.reported);
  return Json{{"name", a.name},
              {"resourceVersion", std::to_string(a.resource_version)},
              {"planElements", a.plan_elements},
              {"lastError", a.last_error},
              {"syncs", a.syncs},
              {"failures", a.failures},
              {"lastReportTime", Rfc3339(a.reported)},
              {"secondsSinceReport", age.count()}};
}

// A non-negative integer field, absent meaning 0; accepts "12" (as
// resourceVersion is served) or 12.
bool ReadCount(const Json& body, const char* name, int64_t* out, std::string* error) {
  if (!body.contains(name)) return true;
  const Json& v = body[name];
  if (v.is_number_unsigned()) {
    *out = static_cast<int64_t>(v.get<uint64_t>());
    if (*out >= 0) return true;
  } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    *out = v.get<int64_t>();
    return true;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size() && value >= 0) {
      *out = value;
      return true;
    }
  }
  *error = std::string(name) + ": expected a non-negative integer";
  return false;
}

Result<AgentStatus> ParseStatus(const std::string& name, const std::string& text) {
  Json body = ParseUntrustedJson(text);
  if (!body.is_object()) return Status::Error("status body: expected a JSON object");
  AgentStatus status;
  status.name = name;
  std::string error;
  if (!ReadCount(body, "resourceVersion", &status.resource_version, &error) ||
      !ReadCount(body, "planElements", &status.plan_elements, &error) ||
      !ReadCount(body, "syncs", &status.syncs, &error) ||
      !ReadCount(body, "failures", &status.failures, &error)) {
    return Status::Error("status body: " + error);
  }
  if (body.contains("lastError")) {
    if (!body["lastError"].is_string()) {
      return Status::Error("status body: lastError: expected a string");
    }
    status.last_error = body["lastError"].get<std::string>().substr(0, kMaxErrorChars);
  }
  return status;
}

// The node named by a path or parameter; false after replying 400.
bool NodeName(const std::string& name, httplib::Response& res) {
  if (IsValidObjectName(name)) return true;
  ReplyError(res, 400, "invalid node name " + Quote(name));
  return false;
}

void HandleSpan(Store* store, SpanComputer* spans, const httplib::Request& req,
                httplib::Response& res) {
  if (!req.has_param("node")) return ReplyError(res, 400, "node: parameter required");
  const std::string node = req.get_param_value("node");
  if (!NodeName(node, res)) return;
  // From the controller's live engine; registers the node for its span
  // stream (GET /api/v1/watch?node=).
  Result<Snapshot> span = spans->LiveSpan(store, node);
  if (!span.ok()) return ReplyError(res, 503, span.status().message());
  Json list = RenderList(*span);
  list["metadata"]["node"] = node;
  ReplyJson(res, 200, list);
}

}  // namespace

void AddAgentRoutes(RouteTable* routes, Store* store, SpanComputer* spans, AgentRegistry* agents) {
  routes->push_back({"GET", "/api/v1/span", Access::kAgentSpan,
                     [store, spans](const httplib::Request& req, httplib::Response& res) {
                       HandleSpan(store, spans, req, res);
                     }});
  routes->push_back({"POST", "/api/v1/agents/([^/]+)/status", Access::kAgentOwnPath,
                     [agents](const httplib::Request& req, httplib::Response& res) {
                       const std::string name = req.matches[1];
                       if (!NodeName(name, res)) return;
                       Result<AgentStatus> status = ParseStatus(name, req.body);
                       if (!status.ok()) return ReplyError(res, 400, status.status().message());
                       Status recorded = agents->Report(std::move(*status));
                       if (!recorded.ok()) return ReplyError(res, 429, recorded.message());
                       ReplyJson(res, 200, RenderAgent(*agents->Get(name)));
                     }});
  routes->push_back({"GET", "/api/v1/agents", Access::kAdmin,
                     [agents](const httplib::Request&, httplib::Response& res) {
                       Json items = Json::array();
                       for (const AgentStatus& a : agents->List()) items.push_back(RenderAgent(a));
                       ReplyJson(res, 200, {{"items", std::move(items)}});
                     }});
  routes->push_back({"GET", "/api/v1/agents/([^/]+)", Access::kAdmin,
                     [agents](const httplib::Request& req, httplib::Response& res) {
                       const std::string name = req.matches[1];
                       if (!NodeName(name, res)) return;
                       std::optional<AgentStatus> status = agents->Get(name);
                       if (!status)
                         return ReplyError(res, 404, "agent " + Quote(name) + " has not reported");
                       ReplyJson(res, 200, RenderAgent(*status));
                     }});
}

}  // namespace microseg
