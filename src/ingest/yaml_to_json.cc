#include "ingest/yaml_to_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "ingest/limits.h"

namespace microseg {

namespace {

constexpr char kStrTag[] = "tag:yaml.org,2002:str";

// A problem the YAML parser accepts but we cannot represent as JSON.
struct ConversionError {
  YAML::Mark mark;
  std::string message;
};

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

Json ParseFloat(const std::string& text) {
  errno = 0;
  double d = std::strtod(text.c_str(), nullptr);
  return Json(d);
}

// Digits in `base`, with the sign already stripped; too large for int64
// becomes unsigned, then float, as in JSON.
Json ParseInteger(bool negative, std::string_view digits, int base, const std::string& text) {
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return ParseFloat(text);
  if (!negative) {
    if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Json(static_cast<int64_t>(magnitude));
    }
    return Json(magnitude);
  }
  constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
  if (magnitude > kMinMagnitude) return ParseFloat(text);
  if (magnitude == kMinMagnitude) return Json(std::numeric_limits<int64_t>::min());
  return Json(-static_cast<int64_t>(magnitude));
}

// Well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF), as
// nlohmann requires of JSON text: a string that passed here can be dumped.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// Counts values (with their children), to bound alias expansion.
size_t CountValues(const Json& value) {
  size_t n = 1;
  if (value.is_structured()) {
    for (const Json& child : value) n += CountValues(child);
  }
  return n;
}

// Builds one Json value per document from yaml-cpp's parser events.
// Not recursive, but yaml-cpp's parser is (one frame set per level), so
// nesting is refused past kMaxNestingDepth as the parser enters it.
class JsonBuilder : public YAML::EventHandler {
 public:
  explicit JsonBuilder(size_t value_budget) : budget_(value_budget) {}

  Json TakeDocument() { return std::move(root_); }
  const YAML::Mark& document_start() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    Charge(mark, 1);
    document_start_ = mark;
    root_ = Json();
    stack_.clear();
    anchors_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (AwaitingKey()) return SetKey(mark, "null");
    Emit(mark, Json(), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw ConversionError{mark, "an alias may not refer to a node that contains it"};
    }
    if (AwaitingKey()) {
      if (!it->second.value.is_string()) {
        throw ConversionError{mark, "a mapping key must be a string"};
      }
      return SetKey(mark, it->second.value.get<std::string>());
    }
    Charge(mark, it->second.size);
    Emit(mark, it->second.value, YAML::NullAnchor, /*charged=*/true);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!IsValidUtf8(value)) throw ConversionError{mark, "invalid UTF-8"};
    if (AwaitingKey()) {
      if (anchor != YAML::NullAnchor) anchors_[anchor] = {Json(value), 1};
      return SetKey(mark, value);
    }
    // "?" is a plain scalar, "!" a quoted or block one.
    bool is_string = tag == "!" || tag == kStrTag;
    Emit(mark, is_string ? Json(value) : ResolvePlainScalar(value), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    if (AwaitingKey()) throw ConversionError{mark, "a mapping key must be a string"};
    Charge(mark, 1);
    CheckDepth(mark);
    stack_.push_back({Json::array(), anchor, {}, false});
  }
  void OnSequenceEnd() override { Pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    if (AwaitingKey()) throw ConversionError{mark, "a mapping key must be a string"};
    Charge(mark, 1);
    CheckDepth(mark);
    stack_.push_back({Json::object(), anchor, {}, false});
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    Json value;  // array or object under construction
    YAML::anchor_t anchor;
    std::string key;  // objects: the key whose value comes next
    bool has_key;
  };
  struct Anchored {
    Json value;
    size_t size;
  };

  bool AwaitingKey() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().has_key;
  }

  void SetKey(const YAML::Mark& mark, std::string key) {
    Charge(mark, 1);
    Frame& top = stack_.back();
    // yaml-cpp keeps one of two equal keys; kubectl's strict validation
    // rejects them, and so do we: a repeated `ingress:` would otherwise
    // silently replace the first.
    if (top.value.contains(key)) {
      throw ConversionError{mark, "duplicate field " + Quote(key)};
    }
    top.key = std::move(key);
    top.has_key = true;
  }

  void CheckDepth(const YAML::Mark& mark) const {
    if (stack_.size() >= kMaxNestingDepth) {
      throw ConversionError{mark, "nested deeper than " + std::to_string(kMaxNestingDepth) +
                                      " levels"};
    }
  }

  void Charge(const YAML::Mark& mark, size_t n) {
    if (n > budget_) throw ConversionError{mark, "document too large after alias expansion"};
    budget_ -= n;
  }

  void Pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Emit(YAML::Mark::null_mark(), std::move(frame.value), frame.anchor, /*charged=*/true);
  }

  void Emit(const YAML::Mark& mark, Json value, YAML::anchor_t anchor, bool charged = false) {
    if (!charged) Charge(mark, 1);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = {value, CountValues(value)};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else {
      top.value[top.key] = std::move(value);
      top.has_key = false;
    }
  }

  size_t budget_;
  YAML::Mark document_start_;
  Json root_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
};

std::string DescribeMark(const YAML::Mark& mark, const std::string& message) {
  if (mark.is_null()) return message;
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
         ": " + message;
}

}  // namespace

Json ResolvePlainScalar(const std::string& text) {
  const std::string& s = text;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Json();
  if (s == "true" || s == "True" || s == "TRUE") return Json(true);
  if (s == "false" || s == "False" || s == "FALSE") return Json(false);
  std::string_view v = s;
  if (v.size() > 2 && v[0] == '0' && v[1] == 'o' && AllOf(v.substr(2), IsOctal)) {
    return ParseInteger(false, v.substr(2), 8, s);
  }
  if (v.size() > 2 && v[0] == '0' && v[1] == 'x' && AllOf(v.substr(2), IsHex)) {
    return ParseInteger(false, v.substr(2), 16, s);
  }
  bool negative = !v.empty() && v[0] == '-';
  std::string_view unsigned_part = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? v.substr(1) : v;
  if (AllOf(unsigned_part, IsDigit)) return ParseInteger(negative, unsigned_part, 10, s);
  if (IsCoreFloat(v)) return ParseFloat(s);
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
    return Json(negative ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity());
  }
  if (v == ".nan" || v == ".NaN" || v == ".NAN") {
    return Json(std::numeric_limits<double>::quiet_NaN());
  }
  return Json(text);
}

Result<std::vector<Json>> YamlToJson(std::string_view text) {
  std::vector<Json> documents;
  // Aliases may repeat a node; allow generous sharing, but not exponential.
  JsonBuilder builder(/*value_budget=*/4 * text.size() + 10000);
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    std::optional<size_t> previous_start;
    while (true) {
      // Empty documents still count, so numbers match what the user sees.
      if (!parser.HandleNextDocument(builder)) break;
      // yaml-cpp 0.7 can loop on stray characters after a document,
      // yielding empty documents without consuming input.
      const YAML::Mark& start = builder.document_start();
      if (previous_start == static_cast<size_t>(start.pos)) {
        documents.pop_back();  // report the first of the looping documents
        throw ConversionError{start, "unexpected characters after the document"};
      }
      previous_start = start.pos;
      documents.push_back(builder.TakeDocument());
    }
  } catch (const YAML::Exception& e) {
    return Status::Error("document " + std::to_string(documents.size() + 1) +
                         ": invalid YAML: " + DescribeMark(e.mark, e.msg));
  } catch (const ConversionError& e) {
    return Status::Error("document " + std::to_string(documents.size() + 1) +
                         ": invalid YAML: " + DescribeMark(e.mark, e.message));
  } catch (const std::exception& e) {
    // yaml-cpp reports some malformed input through std:: exceptions.
    return Status::Error("document " + std::to_string(documents.size() + 1) +
                         ": invalid YAML: " + e.what());
  }
  return documents;
}

}  // namespace microseg
