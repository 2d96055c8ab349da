// Small helpers shared by the handlers: JSON replies and query parameters.
#pragma once

#include <httplib.h>

#include <charconv>
#include <optional>
#include <string>

#include "controller/api/object_json.h"

namespace microseg {

inline void ReplyJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(DumpJson(body) + "\n", "application/json");
}

inline void ReplyError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(ErrorBody(message) + "\n", "application/json");
}

// A non-negative integer parameter; nullopt when absent; false when malformed.
inline bool ReadRevisionParam(const httplib::Request& req, const char* name,
                              std::optional<int64_t>* out) {
  if (!req.has_param(name)) return true;
  std::string text = req.get_param_value(name);
  if (text.empty()) return true;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return false;
  *out = value;
  return true;
}

}  // namespace microseg
