#include "controller/api/api_kinds.h"

namespace microseg {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

const ApiKind* ResolveKind(std::string_view name) {
  const std::string lower = Lower(name);
  for (const ApiKind& kind : ApiKinds()) {
    if (Lower(kind.kind) == lower) return &kind;
    for (std::string_view alias : kind.aliases) {
      if (alias == lower) return &kind;
    }
  }
  return nullptr;
}

// The registry's list, so that apply and `validate` name the kinds alike.
std::string KindList() { return SupportedKindList(); }

bool IsValidObjectName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace microseg
