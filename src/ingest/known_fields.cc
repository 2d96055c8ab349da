#include "ingest/known_fields.h"

#include <initializer_list>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/kinds.h"

namespace microseg {

namespace {

// A kind's fields as normalized paths: map keys joined by '.', "[]" for the
// items of a list ("spec.ingress[].from[].podSelector"). A path in `open`
// is known and free-form below (labels, annotations, status).
struct Schema {
  std::unordered_set<std::string> known;
  std::unordered_set<std::string> open;
};

// Builds a Schema from entries relative to a prefix; "x.*" marks x open.
class SchemaBuilder {
 public:
  explicit SchemaBuilder(Schema* schema) : schema_(schema) {}

  void Add(const std::string& prefix, std::initializer_list<std::string_view> paths) {
    for (std::string_view path : paths) {
      std::string full = Join(prefix, path);
      bool open = full.size() >= 2 && full.compare(full.size() - 2, 2, ".*") == 0;
      if (open) full.resize(full.size() - 2);
      // Every ancestor of a known path is known.
      for (size_t i = 0; i < full.size(); ++i) {
        if (full[i] == '.' || (full[i] == '[' && i > 0)) schema_->known.insert(full.substr(0, i));
      }
      schema_->known.insert(full);
      if (open) schema_->open.insert(full);
    }
  }

  // metav1.LabelSelector.
  void Selector(const std::string& at) {
    Add(at, {"matchLabels.*", "matchExpressions[].key", "matchExpressions[].operator",
             "matchExpressions[].values"});
  }

  static std::string Join(const std::string& prefix, std::string_view path) {
    if (prefix.empty()) return std::string(path);
    if (path.empty()) return prefix;
    return prefix + (path[0] == '[' ? "" : ".") + std::string(path);
  }

 private:
  Schema* schema_;
};

// apiVersion, kind, and every field of metav1.ObjectMeta.
void Common(SchemaBuilder& b) {
  b.Add("", {"apiVersion", "kind"});
  b.Add("metadata", {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                     "generation", "creationTimestamp", "deletionTimestamp",
                     "deletionGracePeriodSeconds", "labels.*", "annotations.*",
                     "ownerReferences.*", "finalizers.*", "managedFields.*"});
}

// v1 inventory kinds: spec and status stay open (see the header).
Schema Inventory() {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("", {"spec.*", "status.*"});
  return s;
}

// NetworkPolicyPort, and the port form of native Rulesets.
void PolicyPort(SchemaBuilder& b, const std::string& at) {
  b.Add(at, {"protocol", "port", "endPort"});
}

Schema NetworkPolicySchema() {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("", {"status.*", "spec.policyTypes"});
  b.Selector("spec.podSelector");
  for (const char* rule : {"spec.ingress[].from[]", "spec.egress[].to[]"}) {
    b.Selector(SchemaBuilder::Join(rule, "podSelector"));
    b.Selector(SchemaBuilder::Join(rule, "namespaceSelector"));
    b.Add(rule, {"ipBlock.cidr", "ipBlock.except"});
  }
  PolicyPort(b, "spec.ingress[].ports[]");
  PolicyPort(b, "spec.egress[].ports[]");
  return s;
}

Schema AdminNetworkPolicySchema(bool baseline) {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("", {"status.*", "spec.subject"});
  if (!baseline) b.Add("", {"spec.priority"});
  b.Selector("spec.subject.namespaces");
  b.Selector("spec.subject.pods.namespaceSelector");
  b.Selector("spec.subject.pods.podSelector");
  for (const char* rule : {"spec.ingress[]", "spec.egress[]"}) {
    b.Add(rule, {"name", "action"});
    // Ingress peers know nodes and networks too, so that the decoder can
    // say they are egress-only rather than unknown.
    std::string peer = SchemaBuilder::Join(rule, rule == std::string("spec.ingress[]") ? "from[]"
                                                                                        : "to[]");
    b.Selector(SchemaBuilder::Join(peer, "namespaces"));
    b.Selector(SchemaBuilder::Join(peer, "pods.namespaceSelector"));
    b.Selector(SchemaBuilder::Join(peer, "pods.podSelector"));
    b.Selector(SchemaBuilder::Join(peer, "nodes"));
    b.Add(peer, {"networks"});
    b.Add(SchemaBuilder::Join(rule, "ports[]"),
          {"portNumber.protocol", "portNumber.port", "namedPort", "portRange.protocol",
           "portRange.start", "portRange.end"});
  }
  return s;
}

void Scope(SchemaBuilder& b, const std::string& at) {
  b.Selector(SchemaBuilder::Join(at, "selector"));
  b.Selector(SchemaBuilder::Join(at, "namespaceSelector"));
  b.Add(at, {"kinds"});
}

Schema RulesetSchema() {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("spec", {"tier", "priority"});
  Scope(b, "spec.scope");
  for (const char* rule : {"spec.ingress[]", "spec.egress[]"}) {
    b.Add(rule, {"name", "action"});
    std::string peer = SchemaBuilder::Join(rule, "peers[]");
    b.Selector(SchemaBuilder::Join(peer, "selector"));
    b.Selector(SchemaBuilder::Join(peer, "namespaceSelector"));
    b.Add(peer, {"service", "ipList", "any"});
    PolicyPort(b, SchemaBuilder::Join(rule, "ports[]"));
  }
  return s;
}

Schema NativeSchema(std::initializer_list<std::string_view> spec) {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("spec", spec);
  return s;
}

Schema EnforcementModeSchema() {
  Schema s;
  SchemaBuilder b(&s);
  Common(b);
  b.Add("spec", {"mode"});
  Scope(b, "spec.scope");
  return s;
}

// A switch, so that a kind added to the registry without a schema does not
// compile (-Wswitch).
Schema BuildSchema(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kNamespace:
    case ObjectKind::kPod:
    case ObjectKind::kNode:
    case ObjectKind::kService: return Inventory();
    case ObjectKind::kNetworkPolicy: return NetworkPolicySchema();
    case ObjectKind::kAdminNetworkPolicy: return AdminNetworkPolicySchema(/*baseline=*/false);
    case ObjectKind::kBaselineAdminNetworkPolicy: return AdminNetworkPolicySchema(/*baseline=*/true);
    case ObjectKind::kWorkload:
      return NativeSchema(
          {"ips", "host", "unmanaged", "ports[].name", "ports[].port", "ports[].protocol"});
    case ObjectKind::kIpList: return NativeSchema({"cidrs", "except"});
    case ObjectKind::kRuleset: return RulesetSchema();
    case ObjectKind::kEnforcementMode: return EnforcementModeSchema();
  }
  return Schema();
}

// Indexed by ObjectKind, as the registry's rows are.
const std::vector<Schema>& Schemas() {
  static const auto* schemas = [] {
    auto* out = new std::vector<Schema>;
    for (const KindInfo& info : AllKinds()) out->push_back(BuildSchema(info.id));
    return out;
  }();
  return *schemas;
}

// Walks `field` (at normalized `path`), failing at the first unknown key.
// Recursion follows the schema, whose depth is fixed and small.
Status Check(const Schema& schema, const Field& field, const std::string& path) {
  if (!path.empty() && schema.open.count(path) != 0) return Status::Ok();
  if (field.is_list()) {
    std::string item_path = path + "[]";
    return field.ForEachItem([&](const Field& item) { return Check(schema, item, item_path); });
  }
  if (!field.is_map()) return Status::Ok();
  return field.ForEachEntry([&](const std::string& key, const Field& value) -> Status {
    std::string child = SchemaBuilder::Join(path, key);
    // A key with '.' or '[' must not pass for a deeper path.
    bool plain = key.find_first_of(".[") == std::string::npos;
    if (!plain || schema.known.count(child) == 0) return value.Error("unknown field");
    return Check(schema, value, child);
  });
}

}  // namespace

Status CheckKnownFields(ObjectKind kind, const Field& root) {
  return Check(Schemas()[static_cast<size_t>(kind)], root, "");
}

}  // namespace microseg
