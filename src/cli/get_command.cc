// `microseg get KIND [NAME] [-n NS | -A] [-o json|yaml|name]`, or `get all`.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/api/api_kinds.h"
#include "controller/api/object_json.h"
#include "controller/client/api_client.h"

namespace microseg::cli {

namespace {

struct GetArgs {
  std::string kind;
  std::string name;
  std::string ns;
  bool all_namespaces = false;
  std::string output;
  ClientFlags client;
};

void EmitYaml(YAML::Emitter& out, const Json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (auto it = value.begin(); it != value.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      EmitYaml(out, it.value());
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const Json& item : value) EmitYaml(out, item);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    // Quoted when YAML would read it as something else ("80", "true").
    const std::string& s = value.get_ref<const std::string&>();
    YAML::Node probe = YAML::Load(s.empty() ? "''" : s);
    bool plain = probe.IsScalar() && probe.Tag() != "!" && probe.Scalar() == s;
    bool ambiguous = !plain || s == "true" || s == "false" || s == "null" || s == "~" ||
                     (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) ||
                                     s[0] == '-' || s[0] == '+' || s[0] == '.'));
    if (ambiguous) out << YAML::DoubleQuoted;
    out << s;
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();  // numbers and booleans print as JSON does
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "pod/web", as kubectl's -o name.
std::string ShortName(const Json& object) {
  return Lower(object.value("kind", "")) + "/" + object["metadata"].value("name", "");
}

void PrintTable(const std::vector<Json>& items, bool show_kind) {
  bool show_ns = std::any_of(items.begin(), items.end(),
                             [](const Json& o) { return o["metadata"].contains("namespace"); });
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  if (show_kind) header.push_back("KIND");
  if (show_ns) header.push_back("NAMESPACE");
  header.push_back("NAME");
  header.push_back("RESOURCEVERSION");
  rows.push_back(header);
  for (const Json& o : items) {
    std::vector<std::string> row;
    const Json& meta = o["metadata"];
    if (show_kind) row.push_back(o.value("kind", ""));
    if (show_ns) row.push_back(meta.value("namespace", ""));
    row.push_back(meta.value("name", ""));
    row.push_back(meta.value("resourceVersion", ""));
    rows.push_back(row);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::cout << (i + 1 < row.size()
                        ? std::string(row[i]) + std::string(widths[i] - row[i].size() + 3, ' ')
                        : row[i]);
    }
    std::cout << "\n";
  }
}

int Print(const Json& reply, bool single, bool show_kind, const std::string& output) {
  if (output == "json") {
    std::cout << DumpJson(reply, 2) << "\n";
    return 0;
  }
  if (output == "yaml") {
    YAML::Emitter out;
    EmitYaml(out, reply);
    std::cout << out.c_str() << "\n";
    return 0;
  }
  std::vector<Json> items;
  if (single) {
    items.push_back(reply);
  } else {
    for (const Json& item : reply.value("items", Json::array())) items.push_back(item);
  }
  if (output == "name") {
    for (const Json& item : items) std::cout << ShortName(item) << "\n";
    return 0;
  }
  if (items.empty()) {
    std::cerr << "No resources found.\n";
    return 0;
  }
  PrintTable(items, show_kind);
  return 0;
}

}  // namespace

Action InstallGet(CLI::App& app) {
  auto args = std::make_shared<GetArgs>();
  app.add_option("kind", args->kind, "Kind or alias (pods, netpol, anp, workloads, ...) or all")
      ->required();
  app.add_option("name", args->name, "One object's name (default: list them)");
  app.add_option("-n,--namespace", args->ns, "Namespace of namespaced kinds (default: default)");
  app.add_flag("-A,--all-namespaces", args->all_namespaces, "List across every namespace");
  app.add_option("-o,--output", args->output, "json, yaml or name (default: a table)")
      ->check(CLI::IsMember({"", "json", "yaml", "name"}));
  AddClientFlags(app, &args->client);
  return [args]() {
    const bool all_kinds = Lower(args->kind) == "all";
    const ApiKind* kind = all_kinds ? nullptr : ResolveKind(args->kind);
    if (!all_kinds && kind == nullptr) {
      return Fail("unknown kind " + args->kind + " (supported: " + KindList() + ", all)");
    }
    if (all_kinds && !args->name.empty()) return Fail("get all takes no NAME");
    Result<ClientConfig> config = ResolveClientConfig(args->client);
    if (!config.ok()) return Fail(config.status().message());
    ApiClient client(config->server, config->token, config->tls);

    // kubectl's defaults: the "default" namespace unless -n or -A; `all`
    // lists everything unless -n narrows it.
    std::optional<std::string> ns;
    if (!args->ns.empty()) {
      ns = args->ns;
    } else if (!args->all_namespaces && !all_kinds && kind->namespaced) {
      ns = "default";
    }
    if (kind != nullptr && !kind->namespaced) ns.reset();

    Result<Json> reply = Status::Error("unreachable");
    if (!args->name.empty()) {
      reply = client.Get(std::string(kind->kind), args->name, kind->namespaced ? ns : std::nullopt);
    } else {
      reply = client.List(all_kinds ? "" : std::string(kind->kind), ns);
    }
    if (!reply.ok()) return Fail(reply.status().message());
    return Print(*reply, !args->name.empty(), all_kinds, args->output);
  };
}

}  // namespace microseg::cli
