#include "ingest/manifest_text.h"

#include <optional>
#include <vector>

#include "ingest/field.h"
#include "ingest/json_text.h"
#include "ingest/kinds.h"
#include "ingest/object_decoder.h"
#include "ingest/yaml_to_json.h"

namespace microseg {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Decodes the documents of one source into the sink.
//
// Items streamed out of a JSON List are decoded as they arrive, but the
// document's kind may come after its items (kubectl writes "items" before
// "kind"), so their results are staged and committed only once the
// document turns out to be a List.
class DocumentDecoder {
 public:
  DocumentDecoder(const std::string& source, ObjectSink* sink, const DecodeOptions& options)
      : source_(source), sink_(sink), options_(options) {}

  // In collecting mode an object's error is recorded and decoding goes on.
  Status Report(Status status) const {
    if (status.ok() || options_.errors == nullptr) return status;
    options_.errors->push_back(status.message());
    return Status::Ok();
  }

  // Documents count from 1.
  void StartDocument(size_t number) {
    origin_ = source_ + ": document " + std::to_string(number);
    staged_.clear();
    staged_error_ = Status::Ok();
    staged_errors_.clear();
  }

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
      if (Status s = items.ExpectList(); !s.ok()) return Fail(s);
      MICROSEG_RETURN_IF_ERROR(
          items.ForEachItem([&](const Field& item) { return Report(DecodeObject(item, false)); }));
      return CommitStaged();
    }
    if (spec == nullptr && options_.unsupported_kind_is_error) {
      return Fail(field.Error("unsupported kind " + Quote(kind) + " (supported: " +
                              SupportedKindList() + ")"));
    }
    if (spec == nullptr) {
      Warn(origin_ + ": skipping unsupported kind " + kind);
      return Status::Ok();
    }

    // From here on the object names itself; paths start at its root, not
    // at items[i], so a message reads the same wherever the object came from.
    Field root(field.json());
    const UnknownFields unknown =
        options_.unknown_fields_are_errors ? UnknownFields::kError : UnknownFields::kIgnore;
    DecodedObject decoded;
    if (Status s = DecodeKnownObject(*spec, root, unknown, &decoded); !s.ok()) {
      return Status::Error(origin_ + ": " + s.message());
    }
    Emit(std::move(decoded));
    return Status::Ok();
  }

  // Decodes element `index` of the current document's top-level "items".
  void StageItem(size_t index, const Json& item) {
    if (!staged_error_.ok()) return;  // the first error is the one reported
    Json no_document;
    Field document(no_document);
    Field items = document.Child("items");
    staging_ = true;
    Status status = DecodeObject(Field::DetachedItem(item, items, index), /*allow_list=*/false);
    staging_ = false;
    if (status.ok()) return;
    if (options_.errors != nullptr) {
      staged_errors_.push_back(status.message());
    } else {
      staged_error_ = status;
    }
  }

 private:
  struct Staged {
    std::optional<DecodedObject> object;  // or else a warning
    std::string warning;
  };

  Status Fail(const Status& status) const {
    return Status::Error(origin_ + ": " + status.message());
  }

  void Emit(DecodedObject object) {
    if (staging_) {
      staged_.push_back({std::move(object), {}});
    } else {
      sink_->Add(std::move(object), origin_);
    }
  }

  void Warn(std::string warning) {
    if (staging_) {
      staged_.push_back({std::nullopt, std::move(warning)});
    } else {
      sink_->Warn(std::move(warning));
    }
  }

  Status CommitStaged() {
    if (!staged_error_.ok()) return staged_error_;
    for (std::string& error : staged_errors_) options_.errors->push_back(std::move(error));
    staged_errors_.clear();
    for (Staged& s : staged_) {
      if (s.object) {
        sink_->Add(std::move(*s.object), origin_);
      } else {
        sink_->Warn(std::move(s.warning));
      }
    }
    staged_.clear();
    return Status::Ok();
  }

  const std::string& source_;
  ObjectSink* sink_;
  std::string origin_;  // "SOURCE: document N"
  bool staging_ = false;
  const DecodeOptions& options_;
  std::vector<Staged> staged_;
  Status staged_error_;
  std::vector<std::string> staged_errors_;  // collecting mode
};

}  // namespace

Status DecodeManifestJson(const Json& document, const std::string& source, ObjectSink* sink,
                          const DecodeOptions& options) {
  DocumentDecoder decoder(source, sink, options);
  decoder.StartDocument(1);
  return decoder.Report(decoder.DecodeObject(Field(document), /*allow_list=*/true));
}

Status DecodeManifestText(std::string_view text, const std::string& source, ObjectSink* sink,
                          const DecodeOptions& options) {
  DocumentDecoder decoder(source, sink, options);
  auto decode_yaml = [&](const std::vector<Json>& documents) -> Status {
    for (size_t i = 0; i < documents.size(); ++i) {
      decoder.StartDocument(i + 1);
      MICROSEG_RETURN_IF_ERROR(
          decoder.Report(decoder.DecodeObject(Field(documents[i]), /*allow_list=*/true)));
    }
    return Status::Ok();
  };

  bool json_file = EndsWith(source, ".json");
  if (json_file || LooksLikeJson(text)) {
    decoder.StartDocument(1);
    Result<Json> document =
        ParseJsonText(text, [&](size_t index, Json& item) { decoder.StageItem(index, item); });
    if (document.ok()) {
      return decoder.Report(decoder.DecodeObject(Field(*document), /*allow_list=*/true));
    }
    // Not strict JSON, but maybe YAML (a trailing comma, several documents);
    // if neither, the JSON error is the one that makes sense.
    Result<std::vector<Json>> yaml = Status::Error("not tried");
    if (!json_file) yaml = YamlToJson(text);
    if (!yaml.ok()) return Status::Error(source + ": " + document.status().message());
    return decode_yaml(*yaml);
  }

  Result<std::vector<Json>> documents = YamlToJson(text);
  if (!documents.ok()) return Status::Error(source + ": " + documents.status().message());
  return decode_yaml(*documents);
}

}  // namespace microseg
