#include "ingest/json_text.h"

namespace microseg {

namespace {

// nlohmann says "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error ..."; keep the part a user needs.
std::string TrimJsonError(std::string what) {
  if (size_t bracket = what.find("] "); what.rfind("[json.exception", 0) == 0 &&
                                         bracket != std::string::npos) {
    what.erase(0, bracket + 2);
  }
  if (what.rfind("parse error at ", 0) == 0) what.erase(0, 15);
  return what;
}

}  // namespace

Result<std::vector<Json>> ParseJsonText(std::string_view text) {
  std::vector<Json> documents;
  try {
    documents.push_back(Json::parse(text.begin(), text.end()));
  } catch (const Json::exception& e) {
    return Status::Error("document 1: invalid JSON: " + TrimJsonError(e.what()));
  }
  return documents;
}

bool LooksLikeJson(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace microseg
