#include "ingest/json_text.h"

#include <unordered_set>
#include <vector>

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

// Thrown from a parser callback to stop the parse; nlohmann lets it through.
struct JsonRejected {
  std::string message;
};

// Watches the parser's events to refuse, before the parser descends further,
// nesting deeper than kMaxNestingDepth and (optionally) a key repeated in
// one object. nlohmann's parser is iterative, so the only recursion
// is in what later walks the tree; refusing here keeps that bounded.
class JsonGuard {
 public:
  explicit JsonGuard(bool reject_duplicate_keys) : reject_duplicates_(reject_duplicate_keys) {}

  void operator()(Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (stack_.size() >= kMaxNestingDepth) {
          throw JsonRejected{"invalid JSON: nested deeper than " + std::to_string(kMaxNestingDepth) +
                             " levels"};
        }
        stack_.push_back({event == Event::object_start, {}, 0, {}});
        break;
      case Event::key:
        if (reject_duplicates_ && parsed.is_string()) {
          Frame& top = stack_.back();
          top.key = parsed.get_ref<const std::string&>();
          if (!top.keys.insert(top.key).second) throw JsonRejected{Path() + ": duplicate field"};
        }
        break;
      case Event::object_end:
      case Event::array_end:
        stack_.pop_back();
        ChildDone();
        break;
      case Event::value:
        ChildDone();
        break;
    }
  }

 private:
  struct Frame {
    bool object;
    std::string key;  // objects: the key being read
    size_t index;     // arrays: the element being read
    std::unordered_set<std::string> keys;
  };

  void ChildDone() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
  }

  // "spec.ingress[0].ports": where the parser is, as Field::Path spells it
  // for plain keys.
  std::string Path() const {
    std::string out;
    for (const Frame& f : stack_) {
      if (!f.object) {
        out += "[" + std::to_string(f.index) + "]";
        continue;
      }
      if (!out.empty()) out += '.';
      out += f.key;
    }
    return out;
  }

  bool reject_duplicates_;
  std::vector<Frame> stack_;
};

// True when brackets outside strings nest deeper than kMaxNestingDepth. A
// linear pre-scan for the parses that keep the whole tree: nlohmann's
// callback parser rescans a list's items at each item's end, quadratic for
// a large List, so it is used only where items are streamed out.
bool NestsTooDeep(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
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
    if (!on_item) {
      // Keeps the whole tree: depth by pre-scan, no callback (see NestsTooDeep).
      if (NestsTooDeep(text)) {
        return Status::Error("document 1: invalid JSON: nested deeper than " +
                             std::to_string(kMaxNestingDepth) + " levels");
      }
      return Json::parse(text.begin(), text.end());
    }
    JsonGuard guard(/*reject_duplicate_keys=*/true);
    ItemSplitter splitter(on_item);
    Json::parser_callback_t callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
      guard(event, parsed);
      return splitter(depth, event, parsed);
    };
    return Json::parse(text.begin(), text.end(), callback);
  } catch (const Json::exception& e) {
    return Status::Error("document 1: invalid JSON: " + TrimJsonError(e.what()));
  } catch (const JsonRejected& e) {
    return Status::Error("document 1: " + e.message);
  }
}

Json ParseUntrustedJson(std::string_view text) {
  if (NestsTooDeep(text)) return Json(Json::value_t::discarded);
  return Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
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
