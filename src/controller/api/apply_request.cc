#include "controller/api/apply_request.h"

#include <map>
#include <optional>

#include "controller/api/api_kinds.h"
#include "ingest/field.h"
#include "ingest/json_text.h"
#include "ingest/manifest_loader.h"
#include "ingest/manifest_text.h"
#include "ingest/object_sink.h"
#include "ingest/yaml_to_json.h"

namespace microseg {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The documents of one text, split as ingest splits them (manifest_text.cc).
Result<std::vector<Json>> SplitDocuments(std::string_view text, const std::string& source) {
  const bool json_file = EndsWith(source, ".json");
  if (json_file || LooksLikeJson(text)) {
    Result<Json> document = ParseJsonText(text, {});
    if (document.ok()) return std::vector<Json>{std::move(*document)};
    if (!json_file) {
      Result<std::vector<Json>> yaml = YamlToJson(text);
      if (yaml.ok()) return yaml;
    }
    return Status::Error(source + ": " + document.status().message());
  }
  Result<std::vector<Json>> documents = YamlToJson(text);
  if (!documents.ok()) return Status::Error(source + ": " + documents.status().message());
  return documents;
}

std::string StringAt(const Json& map, const char* key) {
  if (!map.is_object()) return "";
  auto it = map.find(key);
  return it != map.end() && it->is_string() ? it->get<std::string>() : "";
}

class Collector {
 public:
  explicit Collector(ParsedRequest* out) : out_(out) {}

  // `where` is "SOURCE: document N" (plus ": items[i]" for List items).
  Status AddDocument(const Json& document, const std::string& where, bool allow_list) {
    if (document.is_null()) return Status::Ok();
    if (!document.is_object()) {
      return Status::Error(where + ": expected a map, got " + std::string(DescribeType(document)));
    }
    const std::string kind = StringAt(document, "kind");
    if (kind.empty()) return Status::Error(where + ": kind: required field is missing");
    // The exact kind name: aliases are for URLs and the CLI, not manifests.
    const std::optional<ObjectKind> parsed = ParseObjectKind(kind);
    const ApiKind* api_kind = parsed ? &InfoOf(*parsed) : nullptr;
    if (api_kind == nullptr && allow_list && EndsWith(kind, "List")) {
      auto items = document.find("items");
      if (items == document.end() || items->is_null()) return Status::Ok();
      if (!items->is_array()) return Status::Error(where + ": items: expected a list");
      for (size_t i = 0; i < items->size(); ++i) {
        MICROSEG_RETURN_IF_ERROR(
            AddDocument((*items)[i], where + ": items[" + std::to_string(i) + "]", false));
      }
      return Status::Ok();
    }
    if (api_kind == nullptr) {
      return Status::Error(where + ": unsupported kind " + Quote(kind) +
                           " (supported: " + KindList() + ")");
    }
    Json object = document;
    Json& metadata = object["metadata"];
    if (!metadata.is_object()) {
      return Status::Error(where + ": " + kind + ": metadata: expected a map");
    }
    ApiObject result;
    result.key.kind = std::string(api_kind->kind);
    result.key.name = StringAt(metadata, "name");
    if (api_kind->namespaced) {
      result.key.namespace_name = StringAt(metadata, "namespace");
      if (result.key.namespace_name.empty()) result.key.namespace_name = "default";
      metadata["namespace"] = result.key.namespace_name;
      if (!IsValidObjectName(result.key.namespace_name)) {
        return Status::Error(where + ": " + kind + ": metadata.namespace: invalid namespace " +
                             Quote(result.key.namespace_name));
      }
    } else {
      metadata.erase("namespace");
    }
    if (!IsValidObjectName(result.key.name)) {
      return Status::Error(where + ": " + kind + ": metadata.name: " +
                           (result.key.name.empty() ? std::string("required field is missing")
                                                    : "invalid name " + Quote(result.key.name)));
    }
    metadata.erase("resourceVersion");  // the server's to set
    result.json = Dump(object);
    auto [it, inserted] = index_.emplace(result.key, out_->objects.size());
    if (inserted) {
      out_->objects.push_back(std::move(result));
    } else {
      out_->objects[it->second] = std::move(result);
    }
    return Status::Ok();
  }

 private:
  ParsedRequest* out_;
  std::map<ObjectKey, size_t> index_;
};

Result<ParsedRequest> Collect(const std::vector<ManifestSource>& sources, bool validate) {
  ParsedRequest request;
  Collector collector(&request);
  for (const ManifestSource& source : sources) {
    if (validate) {
      Result<LoadedManifests> loaded = ParseManifests(source.text, source.source);
      if (!loaded.ok()) return loaded.status();
    }
    Result<std::vector<Json>> documents = SplitDocuments(source.text, source.source);
    if (!documents.ok()) return documents.status();
    for (size_t i = 0; i < documents->size(); ++i) {
      MICROSEG_RETURN_IF_ERROR(collector.AddDocument(
          (*documents)[i], source.source + ": document " + std::to_string(i + 1), true));
    }
  }
  return request;
}

}  // namespace

Result<std::vector<ManifestSource>> ReadManifestSources(std::string_view body,
                                                        std::string_view content_type,
                                                        const std::string& source) {
  if (content_type.substr(0, content_type.find(';')) != kManifestsContentType) {
    return std::vector<ManifestSource>{{source, std::string(body)}};
  }
  Json envelope = ParseUntrustedJson(body);
  if (envelope.is_discarded()) return Status::Error("request body: invalid JSON");
  if (!envelope.is_object()) return Status::Error("request body: expected a JSON object");
  auto manifests = envelope.find("manifests");
  if (manifests == envelope.end() || !manifests->is_array()) {
    return Status::Error("request body: manifests: expected a list");
  }
  std::vector<ManifestSource> sources;
  for (size_t i = 0; i < manifests->size(); ++i) {
    const Json& item = (*manifests)[i];
    const std::string where = "request body: manifests[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::Error(where + ": expected a map");
    auto text = item.find("text");
    if (text == item.end() || !text->is_string()) {
      return Status::Error(where + ".text: expected a string");
    }
    std::string name = StringAt(item, "source");
    if (name.empty()) name = "manifest " + std::to_string(i + 1);
    sources.push_back({std::move(name), text->get<std::string>()});
  }
  return sources;
}

Result<ParsedRequest> ParseApplyRequest(const std::vector<ManifestSource>& sources) {
  return Collect(sources, /*validate=*/true);
}

std::vector<std::string> ValidateApplyRequest(const std::vector<ManifestSource>& sources,
                                              size_t* objects) {
  std::vector<std::string> errors;
  DecodeOptions options{&errors, /*unsupported_kind_is_error=*/true};
  for (const ManifestSource& source : sources) {
    ObjectSet decoded;
    std::vector<std::string> warnings;
    ObjectSink sink(&decoded, &warnings);
    if (Status s = DecodeManifestText(source.text, source.source, &sink, options); !s.ok()) {
      errors.push_back(s.message());
    }
  }
  if (!errors.empty()) return errors;
  // Every object decodes: the request's own checks decide, exactly as apply.
  Result<ParsedRequest> parsed = ParseApplyRequest(sources);
  if (!parsed.ok()) return {parsed.status().message()};
  if (parsed->objects.empty()) return {"no objects to apply"};
  if (objects != nullptr) *objects = parsed->objects.size();
  return {};
}

Result<ParsedRequest> ParseDeleteRequest(const std::vector<ManifestSource>& sources) {
  return Collect(sources, /*validate=*/false);
}

std::string EncodeManifestSources(const std::vector<ManifestSource>& sources) {
  Json manifests = Json::array();
  for (const ManifestSource& s : sources) {
    manifests.push_back({{"source", s.source}, {"text", s.text}});
  }
  return Dump(Json{{"manifests", std::move(manifests)}});
}

}  // namespace microseg
