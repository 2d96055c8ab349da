// Labels and LabelSelector: Kubernetes label semantics.
//
// Labels is a small sorted map (most objects carry < 10 labels, so a sorted
// vector beats a tree). LabelSelector follows metav1.LabelSelector: the
// requirements are ANDed; an empty selector matches everything. "Absent"
// selectors are modelled by the caller with std::optional, because Kubernetes
// gives absent and empty different meanings in several places.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microseg {

class Labels {
 public:
  using Entry = std::pair<std::string, std::string>;
  Labels() = default;
  Labels(std::initializer_list<Entry> entries);

  void Set(std::string key, std::string value);
  const std::string* Get(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key) != nullptr; }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // "a=1,b=2": stable, used for identity keys and display.
  std::string ToString() const;

  bool operator==(const Labels&) const = default;

 private:
  std::vector<Entry> entries_;  // sorted by key, keys unique
};

struct LabelRequirement {
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kIn;
  std::vector<std::string> values;  // sorted; empty for Exists/DoesNotExist

  bool Matches(const Labels& labels) const;
  bool operator==(const LabelRequirement&) const = default;
};

class LabelSelector {
 public:
  LabelSelector() = default;  // matches everything

  // matchLabels k=v is stored as the requirement "k In (v)".
  void AddMatchLabel(std::string key, std::string value);
  void AddRequirement(LabelRequirement requirement);

  bool Matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }
  // Canonical text, e.g. "app in (db),tier notin (x),!debug". Equal selectors
  // have equal text, so it doubles as a deduplication key.
  std::string ToString() const;

  bool operator==(const LabelSelector&) const = default;

 private:
  std::vector<LabelRequirement> requirements_;  // sorted by (key, op, values)
};

// Kubernetes label syntax checks; they return an error description or "".
std::string ValidateLabelKey(std::string_view key);
std::string ValidateLabelValue(std::string_view value);
// DNS-1123 subdomain (object names) / label (namespace names).
std::string ValidateDnsSubdomain(std::string_view name);
std::string ValidateDnsLabel(std::string_view name);

}  // namespace microseg
