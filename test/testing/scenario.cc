#include "testing/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace microseg::testutil {
namespace {

namespace fs = std::filesystem;

bool IsDocumentSeparator(const std::string& line) {
  if (line.rfind("---", 0) != 0) return false;
  std::string rest = line.substr(3);
  size_t i = rest.find_first_not_of(" \t\r");
  return i == std::string::npos || rest[i] == '#';
}

// Splits multi-document YAML text at "---" lines; leading empty chunks are kept
// out. A block scalar cannot contain a bare "---" line, so this is exact for
// the files we write.
std::vector<std::string> SplitDocuments(const std::string& text) {
  std::vector<std::string> docs(1);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (IsDocumentSeparator(line)) {
      docs.emplace_back();
    } else {
      docs.back() += line + '\n';
    }
  }
  return docs;
}

Result<std::vector<uint16_t>> ParsePorts(const YAML::Node& node, const std::string& where) {
  std::vector<uint16_t> out;
  std::vector<YAML::Node> items;
  if (node.IsSequence()) {
    for (const auto& n : node) items.push_back(n);
  } else if (node.IsScalar()) {
    items.push_back(node);
  }
  if (items.empty()) return Status::Error(where + ": expected a port number or a list of them");
  for (const auto& n : items) {
    int port = 0;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, port) || port < 1 || port > 65535) {
      return Status::Error(where + ": expected a port number in 1..65535");
    }
    out.push_back(static_cast<uint16_t>(port));
  }
  return out;
}

Result<std::vector<Protocol>> ParseProtocols(const YAML::Node& node, const std::string& where) {
  if (!node) return std::vector<Protocol>{Protocol::kTCP};
  std::vector<std::string> names;
  if (node.IsSequence()) {
    for (const auto& n : node) names.push_back(n.IsScalar() ? n.Scalar() : "");
  } else if (node.IsScalar()) {
    names.push_back(node.Scalar());
  }
  if (names.empty()) return Status::Error(where + ": expected TCP, UDP, SCTP or a list of them");
  std::vector<Protocol> out;
  for (const auto& n : names) {
    auto p = ParseProtocol(n);
    if (!p) return Status::Error(where + ": unknown protocol \"" + n + "\"");
    out.push_back(*p);
  }
  return out;
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& where) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (!allowed.count(key)) return Status::Error(where + ": unknown key \"" + key + "\"");
  }
  return Status::Ok();
}

Result<ScenarioExpectation> ParseExpectation(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return Status::Error(where + ": expected a map");
  if (Status s = CheckKeys(node, {"port", "protocol", "family", "note", "table"}, where); !s.ok()) {
    return s;
  }
  ScenarioExpectation e;
  auto ports = ParsePorts(node["port"], where + ".port");
  if (!ports.ok()) return ports.status();
  e.ports = *ports;
  auto protocols = ParseProtocols(node["protocol"], where + ".protocol");
  if (!protocols.ok()) return protocols.status();
  e.protocols = *protocols;
  if (node["family"]) {
    std::string f = node["family"].Scalar();
    if (f == "IPv4") {
      e.family = IpFamily::kV4;
    } else if (f == "IPv6") {
      e.family = IpFamily::kV6;
    } else {
      return Status::Error(where + ".family: expected IPv4 or IPv6, got \"" + f + "\"");
    }
  }
  if (node["note"]) e.note = node["note"].Scalar();
  if (!node["table"] || !node["table"].IsScalar()) {
    return Status::Error(where + ".table: expected a block of text");
  }
  auto table = TruthTable::Parse(node["table"].Scalar());
  if (!table.ok()) return Status::Error(where + ".table: " + table.status().message());
  e.table = std::move(*table);
  return e;
}

Status ParseMetadata(const YAML::Node& meta, const std::string& dir, Scenario& s) {
  if (Status st = CheckKeys(meta, {"description", "layout", "endpoints", "expect"}, s.path);
      !st.ok()) {
    return st;
  }
  if (!meta["description"] || meta["description"].Scalar().empty()) {
    return Status::Error(s.path + ": description: required");
  }
  s.description = meta["description"].Scalar();
  std::string layout = meta["layout"] ? meta["layout"].Scalar() : "layout.yaml";
  s.layout_path = layout == "none" ? "" : (fs::path(dir) / layout).string();
  if (meta["endpoints"]) {
    if (!meta["endpoints"].IsSequence()) {
      return Status::Error(s.path + ": endpoints: expected a list of names");
    }
    s.endpoints.emplace();
    for (const auto& n : meta["endpoints"]) s.endpoints->push_back(n.Scalar());
  }
  const YAML::Node& expect = meta["expect"];
  if (!expect || !expect.IsSequence() || expect.size() == 0) {
    return Status::Error(s.path + ": expect: required, a non-empty list");
  }
  for (size_t i = 0; i < expect.size(); ++i) {
    auto e = ParseExpectation(expect[i], s.path + ": expect[" + std::to_string(i) + "]");
    if (!e.ok()) return e.status();
    s.expectations.push_back(std::move(*e));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot open");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<Scenario> LoadScenario(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  Scenario s;
  s.path = path;
  s.name = fs::path(path).stem().string();

  YAML::Node meta(YAML::NodeType::Map);
  for (const std::string& doc : SplitDocuments(*text)) {
    YAML::Node node;
    try {
      node = YAML::Load(doc);
    } catch (const YAML::Exception& e) {
      return Status::Error(path + ": " + e.what());
    }
    if (node.IsNull()) continue;
    if (node.IsMap() && node["kind"]) {
      if (!s.manifests.empty()) s.manifests += "---\n";
      s.manifests += doc;
      continue;
    }
    if (!node.IsMap()) return Status::Error(path + ": a document is neither a manifest nor a map");
    for (const auto& kv : node) {
      std::string key = kv.first.Scalar();
      if (meta[key]) return Status::Error(path + ": key \"" + key + "\" given twice");
      meta[key] = kv.second;
    }
  }
  if (Status st = ParseMetadata(meta, fs::path(path).parent_path().string(), s); !st.ok()) {
    return st;
  }
  return s;
}

std::vector<std::string> ListScenarioFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (!entry.is_regular_file() || p.extension() != ".yaml") continue;
    if (p.filename().string().rfind("layout", 0) == 0) continue;
    out.push_back(p.string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> AllScenarioFiles() { return ListScenarioFiles(SourceDir() + "/test/scenarios"); }

std::string ScenarioTestName(const std::string& path) {
  const std::string root = "/test/scenarios/";
  size_t at = path.rfind(root);
  std::string stem = at == std::string::npos ? path : path.substr(at + root.size());
  stem = stem.substr(0, stem.rfind(".yaml"));
  for (char& ch : stem) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return stem;
}

std::string SourceDir() {
  if (const char* env = std::getenv("MICROSEG_SOURCE_DIR"); env && *env) return env;
#ifdef MICROSEG_SOURCE_DIR_DEFAULT
  return MICROSEG_SOURCE_DIR_DEFAULT;
#else
  return ".";
#endif
}

}  // namespace microseg::testutil
