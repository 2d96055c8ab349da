#include "model/labels.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace microseg {

Labels::Labels(std::initializer_list<Entry> entries) {
  for (const auto& [k, v] : entries) Set(k, v);
}

void Labels::Set(std::string key, std::string value) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, const std::string& k) { return e.first < k; });
  if (it != entries_.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    entries_.insert(it, {std::move(key), std::move(value)});
  }
}

const std::string* Labels::Get(std::string_view key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  if (it != entries_.end() && it->first == key) return &it->second;
  return nullptr;
}

std::string Labels::ToString() const {
  std::string out;
  for (const auto& [k, v] : entries_) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

bool LabelRequirement::Matches(const Labels& labels) const {
  const std::string* value = labels.Get(key);
  switch (op) {
    case Op::kIn:
      return value && std::binary_search(values.begin(), values.end(), *value);
    case Op::kNotIn:
      // As in Kubernetes: NotIn also matches objects without the key.
      return !value || !std::binary_search(values.begin(), values.end(), *value);
    case Op::kExists:
      return value != nullptr;
    case Op::kDoesNotExist:
      return value == nullptr;
  }
  return false;
}

void LabelSelector::AddMatchLabel(std::string key, std::string value) {
  AddRequirement({std::move(key), LabelRequirement::Op::kIn, {std::move(value)}});
}

void LabelSelector::AddRequirement(LabelRequirement requirement) {
  std::sort(requirement.values.begin(), requirement.values.end());
  requirement.values.erase(std::unique(requirement.values.begin(), requirement.values.end()),
                           requirement.values.end());
  auto less = [](const LabelRequirement& a, const LabelRequirement& b) {
    return std::tie(a.key, a.op, a.values) < std::tie(b.key, b.op, b.values);
  };
  auto it = std::lower_bound(requirements_.begin(), requirements_.end(), requirement, less);
  if (it != requirements_.end() && *it == requirement) return;  // duplicate: same meaning
  requirements_.insert(it, std::move(requirement));
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& r : requirements_) {
    if (!r.Matches(labels)) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ',';
    switch (r.op) {
      case LabelRequirement::Op::kIn:
      case LabelRequirement::Op::kNotIn: {
        if (r.op == LabelRequirement::Op::kIn && r.values.size() == 1) {
          out += r.key + "=" + r.values[0];
          break;
        }
        out += r.key + (r.op == LabelRequirement::Op::kIn ? " in (" : " notin (");
        for (size_t i = 0; i < r.values.size(); ++i) out += (i ? "," : "") + r.values[i];
        out += ")";
        break;
      }
      case LabelRequirement::Op::kExists:
        out += r.key;
        break;
      case LabelRequirement::Op::kDoesNotExist:
        out += "!" + r.key;
        break;
    }
  }
  return out;
}

namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 characters.
std::string ValidateQualifiedNamePart(std::string_view s, const char* what) {
  if (s.empty()) return std::string(what) + " must not be empty";
  if (s.size() > 63) return std::string(what) + " must be no more than 63 characters";
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) {
    return std::string(what) + " must start and end with an alphanumeric character";
  }
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') {
      return std::string(what) + " may contain only alphanumerics, '-', '_' and '.'";
    }
  }
  return "";
}

}  // namespace

std::string ValidateDnsSubdomain(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 253) return "must be no more than 253 characters";
  for (size_t start = 0; start <= name.size();) {
    size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!ValidateDnsLabel(part).empty()) {
      return "must be a lowercase RFC 1123 subdomain (lowercase alphanumerics, '-' and '.', "
             "starting and ending with an alphanumeric)";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

std::string ValidateDnsLabel(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 63) return "must be no more than 63 characters";
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(name.front()) || !ok(name.back())) {
    return "must be a lowercase RFC 1123 label (lowercase alphanumerics and '-', starting and "
           "ending with an alphanumeric)";
  }
  for (char c : name) {
    if (!ok(c) && c != '-') {
      return "must be a lowercase RFC 1123 label (lowercase alphanumerics and '-', starting and "
             "ending with an alphanumeric)";
    }
  }
  return "";
}

std::string ValidateLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  std::string_view name = key;
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (std::string err = ValidateDnsSubdomain(prefix); !err.empty()) {
      return "invalid label key \"" + std::string(key) + "\": prefix " + err;
    }
  }
  if (std::string err = ValidateQualifiedNamePart(name, "name part"); !err.empty()) {
    return "invalid label key \"" + std::string(key) + "\": " + err;
  }
  return "";
}

std::string ValidateLabelValue(std::string_view value) {
  if (value.empty()) return "";
  if (std::string err = ValidateQualifiedNamePart(value, "value"); !err.empty()) {
    return "invalid label value \"" + std::string(value) + "\": " + err;
  }
  return "";
}

}  // namespace microseg
