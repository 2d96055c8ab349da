#include "controller/http/request_auth.h"

#include <cctype>
#include <sstream>
#include <string_view>

#include "controller/api/apply_request.h"
#include "controller/http/data_dir.h"
#include "controller/http/http_reply.h"
#include "controller/http/watch_handler.h"
#include "controller/pki/server_tls.h"
#include "ingest/field.h"
#include "ingest/json_text.h"

namespace microseg {

namespace {

constexpr char kAgentRules[] =
    "an agent may only read its own span, watch for changes, and post its own status, flows and "
    "host Workload";

// "Bearer TOKEN" -> TOKEN. The scheme is case-insensitive (RFC 7235
// 2.1); one or more spaces follow it.
bool BearerToken(const std::string& header, std::string* token) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || header[kScheme.size()] != ' ') return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  const size_t start = header.find_first_not_of(' ', kScheme.size());
  if (start == std::string::npos) return false;
  *token = header.substr(start);
  return true;
}

// "{"type":"MODIFIED","object":{...}}" -> {"type":"MODIFIED","object":
// {"metadata":{"resourceVersion":"12"}}}; ERROR events and keepalives as
// they are.
std::string ReduceEventLine(const std::string& line) {
  if (line.empty()) return line;
  Json event = ParseUntrustedJson(line);
  if (!event.is_object()) return "";
  std::string type = event.value("type", "");
  if (type == "ERROR") return line;
  Json reduced{{"type", type}, {"object", {{"metadata", Json::object()}}}};
  if (event.contains("object") && event["object"].is_object() &&
      event["object"].contains("metadata") && event["object"]["metadata"].is_object() &&
      event["object"]["metadata"].contains("resourceVersion")) {
    reduced["object"]["metadata"]["resourceVersion"] =
        event["object"]["metadata"]["resourceVersion"];
  }
  return DumpJson(reduced);
}

// Wraps the watch's chunked content provider so that only complete,
// reduced lines reach the connection.
void ReduceWatchStream(httplib::Response& res) {
  if (!res.content_provider_) return;  // an error reply: nothing to reduce
  auto inner = std::move(res.content_provider_);
  auto partial = std::make_shared<std::string>();
  res.content_provider_ = [inner, partial](size_t offset, size_t length,
                                           httplib::DataSink& sink) {
    httplib::DataSink proxy;
    proxy.write = [&sink, partial](const char* data, size_t size) {
      partial->append(data, size);
      std::string out;
      size_t newline;
      while ((newline = partial->find('\n')) != std::string::npos) {
        std::string reduced = ReduceEventLine(partial->substr(0, newline));
        partial->erase(0, newline + 1);
        out += reduced + "\n";
      }
      return out.empty() || sink.write(out.data(), out.size());
    };
    proxy.done = [&sink] { sink.done(); };
    proxy.is_writable = [&sink] { return sink.is_writable(); };
    return inner(offset, length, proxy);
  };
}

std::string Forbidden(const std::string& node, const httplib::Request& req,
                      const std::string& why) {
  return "forbidden: the agent certificate of node " + Quote(node) + " may not " + req.method +
         " " + req.path + ": " + why;
}

bool Forbid(httplib::Response& res, const std::string& node, const httplib::Request& req,
            const std::string& why) {
  ReplyError(res, 403, Forbidden(node, req, why));
  return false;
}

Decision Deny(Decision::Verdict verdict, std::string message) {
  return Decision{verdict, std::move(message)};
}

}  // namespace

bool IsHostRegistration(const httplib::Request& req, const std::string& node, std::string* why) {
  std::string source = req.has_param("source") ? req.get_param_value("source") : "request";
  Result<std::vector<ManifestSource>> sources =
      ReadManifestSources(req.body, req.get_header_value("Content-Type"), source);
  if (!sources.ok()) {
    *why = sources.status().message();
    return false;
  }
  Result<ParsedRequest> parsed = ParseApplyRequest(*sources);
  if (!parsed.ok()) {
    *why = parsed.status().message();
    return false;
  }
  const std::string expected = "only its own host Workload " + Quote(node) +
                               " with spec.host " + Quote(node);
  if (parsed->objects.size() != 1) {
    *why = "an agent may apply " + expected + ", not " + std::to_string(parsed->objects.size()) +
           " objects";
    return false;
  }
  const ApiObject& object = parsed->objects.front();
  if (object.key.kind != "Workload" || object.key.name != node) {
    *why = "an agent may apply " + expected + ", not " + object.key.ToString();
    return false;
  }
  Json doc = ParseUntrustedJson(object.json);
  const Json* host = nullptr;
  if (doc.is_object() && doc.contains("spec") && doc["spec"].is_object() &&
      doc["spec"].contains("host")) {
    host = &doc["spec"]["host"];
  }
  if (host == nullptr || !host->is_string() || host->get<std::string>() != node) {
    *why = "an agent may apply " + expected;
    return false;
  }
  return true;
}

bool FlowsAreFromNode(const std::string& body, const std::string& node, std::string* why) {
  auto from_node = [&](const Json& record, const std::string& where) {
    if (record.is_object() && record.contains("node") && record["node"].is_string() &&
        record["node"].get<std::string>() == node) {
      return true;
    }
    *why = where + ": every flow record an agent posts must have node " + Quote(node);
    return false;
  };
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && body[start] == '[') {
    Json items = ParseUntrustedJson(body);
    if (!items.is_array()) {
      *why = "flows body: not a valid JSON array";
      return false;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (!from_node(items[i], "flows[" + std::to_string(i) + "]")) return false;
    }
    return true;
  }
  std::istringstream in(body);
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;  // as ForEachFlow
    Json record = ParseUntrustedJson(line);
    if (!from_node(record, "flows body: line " + std::to_string(number))) return false;
  }
  return true;
}

bool AgentMayPostBody(const httplib::Request& req, httplib::Response& res) {
  // A request with a token passed the pre-routing check as the admin.
  if (!req.get_header_value("Authorization").empty()) return true;
  const std::string node = pki::PeerNode(req.ssl);
  if (node.empty()) return true;  // plain HTTP: no agents
  std::string why;
  if (req.path == "/api/v1/flows") {
    return FlowsAreFromNode(req.body, node, &why) || Forbid(res, node, req, why);
  }
  if (req.path == "/api/v1/apply") {
    return IsHostRegistration(req, node, &why) || Forbid(res, node, req, why);
  }
  return Forbid(res, node, req, kAgentRules);
}

RequestAuthorizer::RequestAuthorizer(std::string admin_token, const RouteTable& routes,
                                     Store* store, const std::atomic<bool>* stopping)
    : admin_token_(std::move(admin_token)), store_(store), stopping_(stopping) {
  for (const Route& route : routes) {
    rules_.push_back(Rule{route.method, std::regex(route.pattern), route.access});
  }
}

const RequestAuthorizer::Rule* RequestAuthorizer::Find(const httplib::Request& req,
                                                       std::smatch* groups) const {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const Rule& rule : rules_) {
    if (rule.method == method && std::regex_match(req.path, *groups, rule.pattern)) return &rule;
  }
  return nullptr;
}

Caller RequestAuthorizer::Identify(const httplib::Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  if (!header.empty()) {
    std::string token;
    if (BearerToken(header, &token) && TokensEqual(token, admin_token_)) {
      return {Caller::Kind::kAdmin, ""};
    }
    return {Caller::Kind::kBadToken, ""};
  }
  const std::string node = pki::PeerNode(req.ssl);
  if (!node.empty()) return {Caller::Kind::kAgent, node};
  return {};
}

Decision RequestAuthorizer::Decide(const Caller& caller, const httplib::Request& req) const {
  std::smatch groups;
  const Rule* rule = Find(req, &groups);
  if (rule != nullptr && rule->access == Access::kAnyone) return {};
  switch (caller.kind) {
    case Caller::Kind::kAdmin:
      return {};  // every route; an unknown one is the server's 404
    case Caller::Kind::kBadToken:
      return Deny(Decision::Verdict::kUnauthorized, "invalid token");
    case Caller::Kind::kAgent:
      return DecideAgent(caller.node, rule, groups, req);
    case Caller::Kind::kAnonymous:
      break;
  }
  return Deny(Decision::Verdict::kUnauthorized,
              "missing Authorization: Bearer token (or an agent's client certificate)");
}

Decision RequestAuthorizer::DecideAgent(const std::string& node, const Rule* rule,
                                        const std::smatch& groups,
                                        const httplib::Request& req) const {
  const Access access = rule == nullptr ? Access::kAdmin : rule->access;
  auto forbid = [&](const std::string& why) {
    return Deny(Decision::Verdict::kForbidden, Forbidden(node, req, why));
  };
  auto own_node_param = [&](const char* verb) {
    if (req.get_param_value("node") == node) return Decision{};
    return forbid(std::string("an agent may ") + verb + " only its own span (node=" + node +
                  "), not node=" + Quote(req.get_param_value("node")));
  };
  switch (access) {
    case Access::kAnyone:
      return {};
    case Access::kAdmin:
      break;
    case Access::kAgentSpan:
      return own_node_param("read");
    case Access::kAgentWatch:
      if (req.has_param("node")) return own_node_param("watch");
      return {Decision::Verdict::kReducedWatch, ""};
    case Access::kAgentOwnPath:
      if (groups.size() > 1 && groups[1].str() == node) return {};
      return forbid("an agent may " + req.method + " only its own node's " + Quote(node) +
                    ", not " + Quote(groups.size() > 1 ? groups[1].str() : req.path));
    case Access::kAgentBody:
      return {};  // the body is not read yet: AgentMayPostBody checks it in the handler
  }
  return forbid(kAgentRules);
}

bool RequestAuthorizer::Authorize(const httplib::Request& req, httplib::Response& res) const {
  Decision decision = Decide(Identify(req), req);
  switch (decision.verdict) {
    case Decision::Verdict::kAllow:
      return true;
    case Decision::Verdict::kUnauthorized:
      res.set_header("WWW-Authenticate", "Bearer");
      ReplyError(res, 401, decision.message);
      return false;
    case Decision::Verdict::kForbidden:
      ReplyError(res, 403, decision.message);
      return false;
    case Decision::Verdict::kReducedWatch:
      HandleWatch(store_, stopping_, req, res);
      ReduceWatchStream(res);
      return false;  // served here
  }
  return false;
}

}  // namespace microseg
