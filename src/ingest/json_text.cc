#include "ingest/json_text.h"

namespace microseg {

namespace {

// nlohmann says "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error ..."; keep the part a user needs.
std::string TrimJsonError(std::string what) {
  if (size_t bracket = what.find("] ");
      what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
    what.erase(0, bracket + 2);
  }
  if (what.rfind("parse error at ", 0) == 0) what.erase(0, 15);
  return what;
}

// Tracks where the parser is, to spot elements of the top-level "items".
// Depths are nlohmann's: the top-level object's keys are at depth 1, the
// elements of a list under such a key at depth 2.
class ItemSplitter {
 public:
  explicit ItemSplitter(const JsonItemHandler& on_item) : on_item_(on_item) {}

  bool operator()(int depth, Json::parse_event_t event, Json& parsed) {
    using Event = Json::parse_event_t;
    if (depth == 0 && event == Event::object_start) top_is_object_ = true;
    if (depth == 1 && event == Event::key) {
      items_key_ =
          top_is_object_ && parsed.is_string() && parsed.get_ref<const std::string&>() == "items";
    }
    if (depth == 1 && event == Event::array_start) in_items_ = items_key_;
    if (depth == 1 && event == Event::array_end) in_items_ = false;
    bool item_done =
        event == Event::object_end || event == Event::array_end || event == Event::value;
    if (in_items_ && depth == 2 && item_done) {
      on_item_(index_++, parsed);
      return false;  // leave it out of the tree
    }
    return true;
  }

 private:
  const JsonItemHandler& on_item_;
  bool top_is_object_ = false;
  bool items_key_ = false;
  bool in_items_ = false;
  size_t index_ = 0;
};

}  // namespace

Result<Json> ParseJsonText(std::string_view text, const JsonItemHandler& on_item) {
  try {
    if (!on_item) return Json::parse(text.begin(), text.end());
    ItemSplitter splitter(on_item);
    Json::parser_callback_t callback = [&splitter](int depth, Json::parse_event_t event,
                                                   Json& parsed) {
      return splitter(depth, event, parsed);
    };
    return Json::parse(text.begin(), text.end(), callback);
  } catch (const Json::exception& e) {
    return Status::Error("document 1: invalid JSON: " + TrimJsonError(e.what()));
  }
}

bool LooksLikeJson(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t i = 0;
  while (i < text.size() && blank(text[i])) ++i;
  if (i == text.size()) return false;
  if (text[i] == '[') return true;
  if (text[i] != '{') return false;
  // '{"' or '{}': a YAML flow mapping has bare keys ("{kind: Pod}").
  for (++i; i < text.size() && blank(text[i]);) ++i;
  return i < text.size() && (text[i] == '"' || text[i] == '}');
}

}  // namespace microseg
