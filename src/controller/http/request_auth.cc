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

bool IsPublic(const httplib::Request& req) {
  return (req.method == "GET" && (req.path == "/healthz" || req.path == "/api/v1/ca")) ||
         (req.method == "POST" && req.path == "/api/v1/agents/enroll");
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

bool Forbid(httplib::Response& res, const std::string& node, const httplib::Request& req,
            const std::string& why) {
  ReplyError(res, 403,
             "forbidden: the agent certificate of node " + Quote(node) + " may not " + req.method +
                 " " + req.path + ": " + why);
  return false;
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

bool RequestAuthorizer::Authorize(const httplib::Request& req, httplib::Response& res) const {
  if (IsPublic(req)) return true;
  const std::string header = req.get_header_value("Authorization");
  if (!header.empty()) {
    std::string token;
    if (BearerToken(header, &token) && TokensEqual(token, admin_token_)) return true;
    res.set_header("WWW-Authenticate", "Bearer");
    ReplyError(res, 401, "invalid token");
    return false;
  }
  const std::string node = pki::PeerNode(req.ssl);
  if (!node.empty()) return AuthorizeAgent(node, req, res);
  res.set_header("WWW-Authenticate", "Bearer");
  ReplyError(res, 401, "missing Authorization: Bearer token (or an agent's client certificate)");
  return false;
}

bool RequestAuthorizer::AuthorizeAgent(const std::string& node, const httplib::Request& req,
                                       httplib::Response& res) const {
  const std::string own_nodes_prefix = "/api/v1/nodes/" + node + "/";
  if (req.method == "GET") {
    if (req.path == "/api/v1/span") {
      if (req.get_param_value("node") == node) return true;
      return Forbid(res, node, req,
                    "an agent may read only its own span (node=" + node + "), not node=" +
                        Quote(req.get_param_value("node")));
    }
    if (req.path.rfind(own_nodes_prefix, 0) == 0 &&
        req.path.compare(own_nodes_prefix.size(), std::string::npos, "span") == 0) {
      return true;
    }
    if (req.path == "/api/v1/watch" && req.has_param("node")) {
      if (req.get_param_value("node") == node) return true;  // its span stream
      return Forbid(res, node, req,
                    "an agent may watch only its own span (node=" + node + "), not node=" +
                        Quote(req.get_param_value("node")));
    }
    if (req.path == "/api/v1/watch") {
      HandleWatch(store_, stopping_, req, res);
      ReduceWatchStream(res);
      return false;  // served here
    }
    return Forbid(res, node, req, kAgentRules);
  }
  if (req.method == "POST") {
    if (req.path == "/api/v1/agents/" + node + "/status") return true;
    // The body is not read yet: AgentMayPostBody checks it in the handler.
    if (req.path == "/api/v1/flows" || req.path == "/api/v1/apply") return true;
    if (req.path.rfind("/api/v1/agents/", 0) == 0 && req.path.ends_with("/status")) {
      return Forbid(res, node, req, "an agent may report only its own status");
    }
  }
  return Forbid(res, node, req, kAgentRules);
}

}  // namespace microseg
