// The flow file format: JSON lines, one FlowRecord per line.
//
//   {"src":"10.0.1.1","dst":"10.0.2.1","protocol":"TCP","port":80,
//    "verdict":"allow","packets":3,"bytes":180,
//    "first":"2026-11-22T10:00:00Z","last":"2026-11-22T10:00:05Z","node":"n1"}
//
// Required: src, dst, port, verdict, first. Defaults: protocol "TCP",
// packets/bytes 0, flows 1 (connections started; 0 marks a counter update
// of connections already counted), last = first, node "". Unknown fields are ignored so
// newer writers can add fields. Blank lines and lines starting with '#' are
// skipped. The reference is docs/VISIBILITY.md; the controller will serve
// the same objects.
#pragma once

#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "flow/flow_record.h"

namespace microseg {

// Parses one line. Errors name the field: `field "port": expected ...`.
Result<FlowRecord> ParseFlowLine(std::string_view line);
nlohmann::json FlowRecordToJson(const FlowRecord& record);

// Streams records to `sink` (so callers can aggregate files larger than
// memory); stops at the first error, or at the first error `sink` returns.
// Parse errors are "<source>:<line>: <message>".
Status ForEachFlow(std::istream& in, const std::string& source,
                   const std::function<Status(FlowRecord&&)>& sink);
// `path` "-" reads stdin.
Status ForEachFlowInFile(const std::string& path, const std::function<Status(FlowRecord&&)>& sink);

}  // namespace microseg
