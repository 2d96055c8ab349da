#include "flow/flow_file.h"

#include <fstream>
#include <iostream>

#include "flow/flow_time.h"
#include "ingest/json_text.h"

// Returns the Status of `expr` when it is an error.
#define FLOW_RETURN_IF_ERROR(expr)               \
  do {                                           \
    if (Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

namespace microseg {
namespace {

using nlohmann::json;

Status FieldError(std::string_view name, const std::string& what) {
  return Status::Error("field \"" + std::string(name) + "\": " + what);
}

// The field's string value, or an error; null when absent and optional.
Status ReadString(const json& j, std::string_view name, bool required, const std::string** out) {
  *out = nullptr;
  auto it = j.find(name);
  if (it == j.end()) return required ? FieldError(name, "required") : Status::Ok();
  if (!it->is_string()) return FieldError(name, "expected a string, got " + it->dump());
  *out = &it->get_ref<const std::string&>();
  return Status::Ok();
}

Status ReadUnsigned(const json& j, std::string_view name, uint64_t max, bool required,
                    uint64_t* out) {
  auto it = j.find(name);
  if (it == j.end()) return required ? FieldError(name, "required") : Status::Ok();
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
    return FieldError(
        name, "expected an integer from 0 to " + std::to_string(max) + ", got " + it->dump());
  }
  *out = it->get<uint64_t>();
  return Status::Ok();
}

Status ReadIp(const json& j, std::string_view name, IpAddress* out) {
  const std::string* text;
  if (Status s = ReadString(j, name, true, &text); !s.ok()) return s;
  auto ip = IpAddress::Parse(*text);
  if (!ip) return FieldError(name, "invalid IP address \"" + *text + "\"");
  *out = *ip;
  return Status::Ok();
}

Status ReadTime(const json& j, std::string_view name, bool required, int64_t* out) {
  const std::string* text;
  if (Status s = ReadString(j, name, required, &text); !s.ok() || !text) return s;
  auto t = ParseRfc3339(*text);
  if (!t) return FieldError(name, "invalid RFC 3339 time \"" + *text + "\"");
  *out = *t;
  return Status::Ok();
}

}  // namespace

Result<FlowRecord> ParseFlowLine(std::string_view line) {
  json j = ParseUntrustedJson(line);
  if (j.is_discarded()) return Status::Error("not valid JSON");
  if (!j.is_object()) return Status::Error("expected a JSON object");
  FlowRecord r;
  FLOW_RETURN_IF_ERROR(ReadIp(j, "src", &r.src));
  FLOW_RETURN_IF_ERROR(ReadIp(j, "dst", &r.dst));
  const std::string* text;
  FLOW_RETURN_IF_ERROR(ReadString(j, "protocol", false, &text));
  if (text) {
    auto p = ParseProtocol(*text);
    if (!p) return FieldError("protocol", "expected TCP, UDP or SCTP, got \"" + *text + "\"");
    r.protocol = *p;
  }
  uint64_t port = 0;
  FLOW_RETURN_IF_ERROR(ReadUnsigned(j, "port", 65535, true, &port));
  if (port == 0) return FieldError("port", "expected an integer from 1 to 65535, got 0");
  r.port = static_cast<uint16_t>(port);
  FLOW_RETURN_IF_ERROR(ReadString(j, "verdict", true, &text));
  auto verdict = ParseFlowVerdict(*text);
  if (!verdict) {
    return FieldError("verdict", "expected allow, deny or would-deny, got \"" + *text + "\"");
  }
  r.verdict = *verdict;
  constexpr uint64_t kMaxCount = uint64_t{1} << 53;  // exact in every JSON reader
  FLOW_RETURN_IF_ERROR(ReadUnsigned(j, "packets", kMaxCount, false, &r.packets));
  FLOW_RETURN_IF_ERROR(ReadUnsigned(j, "bytes", kMaxCount, false, &r.bytes));
  if (j.contains("flows")) {
    FLOW_RETURN_IF_ERROR(ReadUnsigned(j, "flows", kMaxCount, false, &r.flows));  // 0: counters only
  }
  FLOW_RETURN_IF_ERROR(ReadTime(j, "first", true, &r.first));
  r.last = r.first;
  FLOW_RETURN_IF_ERROR(ReadTime(j, "last", false, &r.last));
  if (r.last < r.first) return FieldError("last", "is before first");
  FLOW_RETURN_IF_ERROR(ReadString(j, "node", false, &text));
  if (text) r.node = *text;
  return r;
}

nlohmann::json FlowRecordToJson(const FlowRecord& r) {
  json j = {{"src", r.src.ToString()},
            {"dst", r.dst.ToString()},
            {"protocol", ProtocolName(r.protocol)},
            {"port", r.port},
            {"verdict", FlowVerdictName(r.verdict)},
            {"packets", r.packets},
            {"bytes", r.bytes},
            {"first", FormatRfc3339(r.first)},
            {"last", FormatRfc3339(r.last)}};
  if (r.flows != 1) j["flows"] = r.flows;
  if (!r.node.empty()) j["node"] = r.node;
  return j;
}

Status ForEachFlow(std::istream& in, const std::string& source,
                   const std::function<Status(FlowRecord&&)>& sink) {
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    auto record = ParseFlowLine(line);
    if (!record.ok()) {
      return Status::Error(source + ":" + std::to_string(number) + ": " +
                           record.status().message());
    }
    if (Status s = sink(std::move(*record)); !s.ok()) return s;
  }
  if (in.bad()) return Status::Error(source + ": read error");
  return Status::Ok();
}

Status ForEachFlowInFile(const std::string& path, const std::function<Status(FlowRecord&&)>& sink) {
  if (path == "-") return ForEachFlow(std::cin, "<stdin>", sink);
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": cannot open");
  return ForEachFlow(in, path, sink);
}

}  // namespace microseg
