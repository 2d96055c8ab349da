// Object metadata, labels and label selectors.
#include "ingest/decode_common.h"

namespace microseg {

namespace {

std::string ValidateDns1035Label(std::string_view name) {
  std::string err = ValidateDnsLabel(name);
  if (!err.empty()) return err;
  if (name.front() < 'a' || name.front() > 'z') {
    return "must be a lowercase RFC 1035 label (lowercase alphanumerics and '-', starting with a "
           "letter and ending with an alphanumeric)";
  }
  return "";
}

Status DecodeName(const Field& field, NameRule rule, std::string* name) {
  MICROSEG_RETURN_IF_ERROR(field.RequireString(name));
  if (name->empty()) return field.Missing();
  std::string err;
  switch (rule) {
    case NameRule::kDnsSubdomain:
      err = ValidateDnsSubdomain(*name);
      break;
    case NameRule::kDnsLabel:
      err = ValidateDnsLabel(*name);
      break;
    case NameRule::kDns1035Label:
      err = ValidateDns1035Label(*name);
      break;
  }
  if (!err.empty()) return field.Error("invalid name " + Quote(*name) + ": " + err);
  return Status::Ok();
}

Status DecodeRequirement(const Field& field, LabelSelector* selector) {
  MICROSEG_RETURN_IF_ERROR(field.RequireMap());
  LabelRequirement req;
  Field key = field.Child("key");
  MICROSEG_RETURN_IF_ERROR(key.RequireString(&req.key));
  if (std::string err = ValidateLabelKey(req.key); !err.empty()) return key.Error(err);

  Field op = field.Child("operator");
  if (!op.present()) return op.Missing();
  size_t op_index = 0;
  MICROSEG_RETURN_IF_ERROR(DecodeEnum(op, {"In", "NotIn", "Exists", "DoesNotExist"}, &op_index));
  constexpr LabelRequirement::Op kOps[] = {LabelRequirement::Op::kIn, LabelRequirement::Op::kNotIn,
                                           LabelRequirement::Op::kExists,
                                           LabelRequirement::Op::kDoesNotExist};
  req.op = kOps[op_index];

  Field values = field.Child("values");
  MICROSEG_RETURN_IF_ERROR(values.ForEachItem([&](const Field& item) -> Status {
    std::string value;
    MICROSEG_RETURN_IF_ERROR(item.RequireString(&value));
    if (std::string err = ValidateLabelValue(value); !err.empty()) return item.Error(err);
    req.values.push_back(std::move(value));
    return Status::Ok();
  }));
  bool takes_values = req.op == LabelRequirement::Op::kIn || req.op == LabelRequirement::Op::kNotIn;
  const std::string& op_name = op.json().get_ref<const std::string&>();
  if (takes_values && req.values.empty()) {
    return values.Error("must be non-empty when operator is " + op_name);
  }
  if (!takes_values && !req.values.empty()) {
    return values.Error("must be empty when operator is " + op_name);
  }
  selector->AddRequirement(std::move(req));
  return Status::Ok();
}

// "YYYY-MM-DDTHH:MM:SSZ", as the API server writes creationTimestamp.
bool IsUtcTimestamp(const std::string& t) {
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
  if (t.size() != sizeof(kShape) - 1) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    bool ok = kShape[i] == 'd' ? (t[i] >= '0' && t[i] <= '9') : t[i] == kShape[i];
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status DecodeMetadata(const Field& doc, bool namespaced, NameRule rule, ObjectMeta* meta) {
  Field metadata = doc.Child("metadata");
  MICROSEG_RETURN_IF_ERROR(metadata.RequireMap());
  MICROSEG_RETURN_IF_ERROR(DecodeName(metadata.Child("name"), rule, &meta->name));
  if (namespaced) {
    Field ns = metadata.Child("namespace");
    meta->namespace_name = "default";
    if (ns.present())
      MICROSEG_RETURN_IF_ERROR(DecodeName(ns, NameRule::kDnsLabel, &meta->namespace_name));
  }
  MICROSEG_RETURN_IF_ERROR(metadata.Child("uid").ReadString(&meta->uid));
  // Compared as text to tell the most recent of two claims on one address
  // (index/ip_index.h), so only the API server's UTC form is accepted.
  Field created = metadata.Child("creationTimestamp");
  MICROSEG_RETURN_IF_ERROR(created.ReadString(&meta->created));
  if (!meta->created.empty() && !IsUtcTimestamp(meta->created)) {
    return created.Error("must be a UTC time like 2026-01-02T15:04:05Z");
  }
  return DecodeLabels(metadata.Child("labels"), &meta->labels);
}

Status DecodeLabels(const Field& field, Labels* labels) {
  return field.ForEachEntry([&](const std::string& key, const Field& value) -> Status {
    if (std::string err = ValidateLabelKey(key); !err.empty()) return field.Error(err);
    std::string text;
    // Null is an empty value, as for the API server; `version: 1` is an
    // integer and rejected, as `kubectl apply` does.
    MICROSEG_RETURN_IF_ERROR(value.ReadString(&text));
    if (std::string err = ValidateLabelValue(text); !err.empty()) return value.Error(err);
    labels->Set(key, std::move(text));
    return Status::Ok();
  });
}

Status DecodeSelector(const Field& field, LabelSelector* selector) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  Labels match_labels;
  MICROSEG_RETURN_IF_ERROR(DecodeLabels(field.Child("matchLabels"), &match_labels));
  for (const auto& [key, value] : match_labels.entries()) selector->AddMatchLabel(key, value);
  return field.Child("matchExpressions").ForEachItem([&](const Field& item) {
    return DecodeRequirement(item, selector);
  });
}

Status DecodeOptionalSelector(const Field& field, std::optional<LabelSelector>* selector) {
  if (!field.present()) return Status::Ok();
  LabelSelector decoded;
  MICROSEG_RETURN_IF_ERROR(DecodeSelector(field, &decoded));
  *selector = std::move(decoded);
  return Status::Ok();
}

Status DecodeRequiredSelector(const Field& field, LabelSelector* selector) {
  if (!field.present()) return field.Missing();
  return DecodeSelector(field, selector);
}

Status DecodeEnum(const Field& field, std::initializer_list<std::string_view> allowed,
                  size_t* index) {
  if (!field.present()) return Status::Ok();
  std::string value;
  MICROSEG_RETURN_IF_ERROR(field.ReadString(&value));
  size_t i = 0;
  for (std::string_view a : allowed) {
    if (value == a) {
      *index = i;
      return Status::Ok();
    }
    ++i;
  }
  std::string expected;
  i = 0;
  for (std::string_view a : allowed) {
    if (i > 0) expected += (i + 1 == allowed.size()) ? " or " : ", ";
    expected += a;
    ++i;
  }
  return field.Error("unsupported value " + Quote(value) + " (expected " + expected + ")");
}

}  // namespace microseg
