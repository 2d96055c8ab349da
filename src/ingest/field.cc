#include "ingest/field.h"

#include <vector>

namespace microseg {

namespace {

bool IsPlainWord(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Field Field::Child(std::string_view key) const& {
  const Json* child = nullptr;
  if (is_map()) {
    auto it = value_->find(key);
    if (it != value_->end()) child = &*it;
  }
  return Field(child, this, key, kNoIndex);
}

Field Field::Item(size_t index) const& {
  const Json* item = nullptr;
  if (is_list() && index < value_->size()) item = &(*value_)[index];
  return Field(item, this, {}, index);
}

std::string Field::Path() const {
  std::vector<const Field*> chain;
  for (const Field* f = this; f->parent_ != nullptr; f = f->parent_) chain.push_back(f);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Field& f = **it;
    if (f.index_ != kNoIndex) {
      out += '[';
      out += std::to_string(f.index_);
      out += ']';
    } else if (IsPlainWord(f.key_)) {
      if (!out.empty()) out += '.';
      out += f.key_;
    } else {
      out += '[';
      out += Quote(f.key_);
      out += ']';
    }
  }
  return out;
}

Status Field::Error(std::string_view message) const {
  std::string path = Path();
  if (path.empty()) return Status::Error(std::string(message));
  return Status::Error(path + ": " + std::string(message));
}

Status Field::TypeError(std::string_view expected) const {
  std::string message = "expected " + std::string(expected) + ", got ";
  message += present() ? DescribeType(*value_) : "null";
  return Error(message);
}

Status Field::Missing() const { return Error("required field is missing"); }

Status Field::ExpectMap() const {
  if (present() && !value_->is_object()) return TypeError("a map");
  return Status::Ok();
}

Status Field::ExpectList() const {
  if (present() && !value_->is_array()) return TypeError("a list");
  return Status::Ok();
}

Status Field::RequireMap() const { return present() ? ExpectMap() : Missing(); }

Status Field::RequireList() const { return present() ? ExpectList() : Missing(); }

Status Field::ReadString(std::string* out) const {
  if (!present()) return Status::Ok();
  if (!value_->is_string()) return TypeError("a string");
  *out = value_->get_ref<const std::string&>();
  return Status::Ok();
}

Status Field::ReadBool(bool* out) const {
  if (!present()) return Status::Ok();
  if (!value_->is_boolean()) return TypeError("a boolean");
  *out = value_->get<bool>();
  return Status::Ok();
}

Status Field::ReadInt(int64_t* out) const {
  if (!present()) return Status::Ok();
  if (value_->is_number_unsigned()) {
    uint64_t v = value_->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return Error("integer out of range");
    *out = static_cast<int64_t>(v);
    return Status::Ok();
  }
  if (!value_->is_number_integer()) return TypeError("an integer");
  *out = value_->get<int64_t>();
  return Status::Ok();
}

Status Field::ReadInt(int64_t min, int64_t max, int64_t* out) const {
  if (!present()) return Status::Ok();
  int64_t v = 0;
  MICROSEG_RETURN_IF_ERROR(ReadInt(&v));
  if (v < min || v > max) {
    return Error("must be between " + std::to_string(min) + " and " + std::to_string(max) +
                 ", got " + std::to_string(v));
  }
  *out = v;
  return Status::Ok();
}

Status Field::RequireString(std::string* out) const {
  return present() ? ReadString(out) : Missing();
}

Status Field::RequireInt(int64_t min, int64_t max, int64_t* out) const {
  return present() ? ReadInt(min, max, out) : Missing();
}

std::string_view DescribeType(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::object:
      return "a map";
    default:
      return "an unsupported value";
  }
}

std::string Quote(std::string_view text) {
  // Long values (and fuzzed garbage) must not flood the message.
  constexpr size_t kMax = 80;
  std::string out = "\"";
  out += text.substr(0, kMax);
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

}  // namespace microseg
