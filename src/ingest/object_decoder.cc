#include "ingest/object_decoder.h"

#include <string_view>

#include "ingest/known_fields.h"

namespace microseg {

namespace {

// A string member of a map, or "" (no errors: this only names the object).
std::string_view StringAt(const Json& map, const char* key) {
  if (!map.is_object()) return {};
  auto it = map.find(key);
  if (it == map.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

}  // namespace

std::string DescribeObject(const KindSpec& spec, const Json& object) {
  std::string out(spec.kind);
  out += ' ';
  auto metadata = object.find("metadata");
  std::string_view name, ns;
  if (metadata != object.end()) {
    name = StringAt(*metadata, "name");
    ns = StringAt(*metadata, "namespace");
  }
  if (spec.namespaced) {
    out += ns.empty() ? "default" : ns;
    out += '/';
  }
  out += name.empty() ? "<unnamed>" : name;
  return out;
}

Status DecodeKnownObject(const KindSpec& spec, const Field& object, UnknownFields unknown,
                         DecodedObject* out) {
  auto fail = [&](const Status& s) {
    return Status::Error(DescribeObject(spec, object.json()) + ": " + s.message());
  };
  Field api_version = object.Child("apiVersion");
  std::string version;
  if (Status s = api_version.RequireString(&version); !s.ok()) return fail(s);
  if (version != spec.api_version) {
    return fail(api_version.Error("expected " + std::string(spec.api_version) + ", got " +
                                  Quote(version)));
  }
  if (Status s = spec.decode(object, out); !s.ok()) return fail(s);
  // After decoding, so that a value of the wrong shape is reported as such
  // rather than as unknown fields inside it.
  if (unknown == UnknownFields::kError) {
    if (Status s = CheckKnownFields(spec.id, object); !s.ok()) return fail(s);
  }
  return Status::Ok();
}

Result<DecodedObject> DecodeObject(const Json& object, UnknownFields unknown) {
  Field root(object);
  if (!root.is_map()) return root.TypeError("a map");
  Field kind_field = root.Child("kind");
  std::string kind;
  MICROSEG_RETURN_IF_ERROR(kind_field.RequireString(&kind));
  if (kind.empty()) return kind_field.Missing();
  const KindSpec* spec = FindKind(kind);
  if (spec == nullptr) {
    return root.Error("unsupported kind " + Quote(kind) + " (supported: " + SupportedKindList() +
                      ")");
  }
  DecodedObject decoded;
  MICROSEG_RETURN_IF_ERROR(DecodeKnownObject(*spec, root, unknown, &decoded));
  return decoded;
}

}  // namespace microseg
