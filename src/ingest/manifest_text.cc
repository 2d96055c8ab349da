#include "ingest/manifest_text.h"

#include <vector>

#include "ingest/field.h"
#include "ingest/json_text.h"
#include "ingest/kinds.h"
#include "ingest/yaml_to_json.h"

namespace microseg {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A string member of a map, or "" (no errors: this only names the object).
std::string_view StringAt(const Json& map, const char* key) {
  if (!map.is_object()) return {};
  auto it = map.find(key);
  if (it == map.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

// "Pod shop/web", "Namespace shop", "Pod shop/<unnamed>": how errors name
// an object, read leniently before it is validated.
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

class DocumentDecoder {
 public:
  DocumentDecoder(const std::string& source, ObjectSink* sink) : source_(source), sink_(sink) {}

  // `document` counts from 1; `field` is the document root.
  Status Decode(size_t document, const Field& field) {
    origin_ = source_ + ": document " + std::to_string(document);
    return DecodeObject(field, /*allow_list=*/true);
  }

 private:
  Status Fail(const Status& status) const { return Status::Error(origin_ + ": " + status.message()); }

  // `field` is a document root or a List's item.
  Status DecodeObject(const Field& field, bool allow_list) {
    if (!field.present()) return Status::Ok();  // an empty document or item
    if (!field.is_map()) return Fail(field.TypeError("a map"));
    Field kind_field = field.Child("kind");
    std::string kind;
    if (Status s = kind_field.RequireString(&kind); !s.ok()) return Fail(s);
    if (kind.empty()) return Fail(kind_field.Missing());

    const KindSpec* spec = FindKind(kind);
    if (spec == nullptr && EndsWith(kind, "List")) {
      if (!allow_list) return Fail(field.Error("a List inside a List is not supported"));
      Field items = field.Child("items");
      return items.ForEachItem([&](const Field& item) { return DecodeObject(item, false); });
    }
    if (spec == nullptr) {
      sink_->Warn(origin_ + ": skipping unsupported kind " + kind);
      return Status::Ok();
    }

    // From here on the object names itself; paths start at its root, not
    // at items[i], so a message reads the same wherever the object came from.
    Field root(field.json());
    std::string object = DescribeObject(*spec, root.json());
    auto fail = [&](const Status& s) {
      return Status::Error(origin_ + ": " + object + ": " + s.message());
    };
    Field api_version = root.Child("apiVersion");
    std::string version;
    if (Status s = api_version.RequireString(&version); !s.ok()) return fail(s);
    if (version != spec->api_version) {
      return fail(api_version.Error("expected " + std::string(spec->api_version) + ", got " +
                                    Quote(version)));
    }
    if (Status s = spec->decode(root, origin_, sink_); !s.ok()) return fail(s);
    return Status::Ok();
  }

  const std::string& source_;
  ObjectSink* sink_;
  std::string origin_;  // "SOURCE: document N"
};

}  // namespace

Status DecodeManifestText(std::string_view text, const std::string& source, ObjectSink* sink) {
  Result<std::vector<Json>> documents = Status::Error("unreachable");
  if (EndsWith(source, ".json")) {
    documents = ParseJsonText(text);
  } else if (LooksLikeJson(text)) {
    documents = ParseJsonText(text);
    // A YAML flow mapping ("{kind: Pod, ...}") or a stream of several
    // documents also starts with '{'.
    if (!documents.ok()) documents = YamlToJson(text);
  } else {
    documents = YamlToJson(text);
  }
  if (!documents.ok()) return Status::Error(source + ": " + documents.status().message());

  DocumentDecoder decoder(source, sink);
  for (size_t i = 0; i < documents->size(); ++i) {
    Field root((*documents)[i]);
    MICROSEG_RETURN_IF_ERROR(decoder.Decode(i + 1, root));
  }
  return Status::Ok();
}

}  // namespace microseg
