// Field: a JSON value together with its path in the document.
//
// Decoders read every manifest through Field so that any error names the
// exact field, e.g. "spec.ingress[0].ports[1].port: must be between 1 and
// 65535, got 0". The path is a chain of parent pointers, rendered only when
// an error is reported: decoding 100,000 pods builds no path strings.
//
// Lifetime: a Field points at its parent Field and at the JSON it reads;
// both must outlive it. Children of temporaries are therefore forbidden
// (`doc.Child("a").Child("b")` does not compile): name the parent first.
//
// Absent and null are the same here, as in the Kubernetes API: a field set
// to null is decoded exactly like a field left out.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

// Returns the Status of `expr` from the enclosing function unless it is ok.
// Each expansion gets its own variable, so nesting (an error-returning
// lambda inside `expr`) does not shadow.
#define MICROSEG_RETURN_IF_ERROR(expr) \
  MICROSEG_RETURN_IF_ERROR_IMPL(expr, MICROSEG_CONCAT(microseg_status_, __COUNTER__))
#define MICROSEG_RETURN_IF_ERROR_IMPL(expr, var) \
  do {                                           \
    ::microseg::Status var = (expr);             \
    if (!var.ok()) return var;                   \
  } while (0)
#define MICROSEG_CONCAT(a, b) MICROSEG_CONCAT_IMPL(a, b)
#define MICROSEG_CONCAT_IMPL(a, b) a##b

namespace microseg {

using Json = nlohmann::json;

class Field {
 public:
  // The root of a document; its own path is empty.
  explicit Field(const Json& root) : value_(&root) {}

  // Absent (present() == false) when this is not a map or has no `key`.
  Field Child(std::string_view key) const&;
  Field Child(std::string_view key) && = delete;
  // Absent when this is not a list or `index` is out of range.
  Field Item(size_t index) const&;
  Field Item(size_t index) && = delete;

  // An element of `list` that is held elsewhere (a List item streamed out
  // of its document); its path is list[index].
  static Field DetachedItem(const Json& value, const Field& list, size_t index) {
    return Field(&value, &list, {}, index);
  }

  bool present() const { return value_ != nullptr && !value_->is_null(); }
  const Json& json() const { return *value_; }  // requires present()
  bool is_map() const { return present() && value_->is_object(); }
  bool is_list() const { return present() && value_->is_array(); }
  bool is_string() const { return present() && value_->is_string(); }
  bool is_integer() const { return present() && value_->is_number_integer(); }
  // List length or map size; 0 when absent.
  size_t size() const { return present() ? value_->size() : 0; }

  // "spec.ingress[0].from[1]"; map keys that are not plain words are
  // quoted: metadata.labels["app.kubernetes.io/name"].
  std::string Path() const;

  // Errors prefixed with the path ("PATH: message"; just the message at the root).
  Status Error(std::string_view message) const;
  Status TypeError(std::string_view expected) const;  // "expected a list, got a string"
  Status Missing() const;                             // "required field is missing"

  // Type checks: ok when absent.
  Status ExpectMap() const;
  Status ExpectList() const;
  // Like the above, but absent is an error.
  Status RequireMap() const;
  Status RequireList() const;

  // Readers leave *out untouched when the field is absent.
  Status ReadString(std::string* out) const;
  Status ReadBool(bool* out) const;
  Status ReadInt(int64_t* out) const;
  Status ReadInt(int64_t min, int64_t max, int64_t* out) const;
  Status RequireString(std::string* out) const;
  Status RequireInt(int64_t min, int64_t max, int64_t* out) const;

  // Calls f(const Field& item) for each list item; stops at the first error.
  template <typename F>
  Status ForEachItem(F&& f) const {
    MICROSEG_RETURN_IF_ERROR(ExpectList());
    for (size_t i = 0, n = size(); i < n; ++i) {
      Field item = Item(i);
      MICROSEG_RETURN_IF_ERROR(f(item));
    }
    return Status::Ok();
  }

  // Calls f(const std::string& key, const Field& value) for each map entry,
  // in key order; stops at the first error.
  template <typename F>
  Status ForEachEntry(F&& f) const {
    MICROSEG_RETURN_IF_ERROR(ExpectMap());
    if (!present()) return Status::Ok();
    for (auto it = value_->begin(); it != value_->end(); ++it) {
      Field entry(&it.value(), this, it.key(), kNoIndex);
      MICROSEG_RETURN_IF_ERROR(f(it.key(), entry));
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);

  Field(const Json* value, const Field* parent, std::string_view key, size_t index)
      : value_(value), parent_(parent), key_(key), index_(index) {}

  const Json* value_ = nullptr;
  const Field* parent_ = nullptr;
  std::string_view key_;     // set for map entries
  size_t index_ = kNoIndex;  // set for list items
};

// "a string", "an integer", "a list", ...: what the message calls a JSON type.
std::string_view DescribeType(const Json& value);

// `text` in double quotes, shortened when long, for error messages.
std::string Quote(std::string_view text);

}  // namespace microseg
