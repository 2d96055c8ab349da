#include "kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace microseg::kube {

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// The `field` mapping of the entry of `list` named `name`; undefined if none.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list.IsSequence()) return YAML::Node(YAML::NodeType::Undefined);
  for (const YAML::Node& entry : list) {
    if (entry.IsMap() && entry["name"] && entry["name"].as<std::string>("") == name) {
      return entry[field] ? entry[field] : YAML::Node(YAML::NodeType::Map);
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string Str(const YAML::Node& map, const char* key) {
  if (!map.IsMap() || !map[key] || !map[key].IsScalar()) return "";
  return map[key].as<std::string>("");
}

// Reads inline base64 data or a file into *pem; `what` names the entry.
Status ReadPem(const YAML::Node& map, const char* data_key, const char* file_key,
               const std::string& base_dir, const std::string& what, std::string* pem) {
  if (std::string data = Str(map, data_key); !data.empty()) {
    Result<std::string> decoded = DecodeBase64(data);
    if (!decoded.ok())
      return Status::Error(what + ": " + data_key + ": " + decoded.status().message());
    *pem = std::move(*decoded);
    return Status::Ok();
  }
  if (std::string file = Str(map, file_key); !file.empty()) {
    Result<std::string> text = ReadFile(Resolve(base_dir, file));
    if (!text.ok()) return Status::Error(what + ": " + file_key + ": " + text.status().message());
    *pem = std::move(*text);
  }
  return Status::Ok();
}

Result<ClusterAccess> FromYaml(const YAML::Node& root, const std::string& source,
                               const std::string& base_dir, const std::string& wanted) {
  if (!root.IsMap()) return Status::Error(source + ": not a kubeconfig (expected a mapping)");
  std::string context_name = wanted.empty() ? Str(root, "current-context") : wanted;
  if (context_name.empty()) {
    return Status::Error(source + ": no current-context; name one with --context");
  }
  YAML::Node context = FindNamed(root["contexts"], context_name, "context");
  if (!context) return Status::Error(source + ": context \"" + context_name + "\" not found");
  std::string cluster_name = Str(context, "cluster");
  std::string user_name = Str(context, "user");
  YAML::Node cluster = FindNamed(root["clusters"], cluster_name, "cluster");
  if (!cluster) return Status::Error(source + ": cluster \"" + cluster_name + "\" not found");

  ClusterAccess access;
  std::string cluster_what = source + ": cluster \"" + cluster_name + "\"";
  access.server = Str(cluster, "server");
  if (access.server.empty()) return Status::Error(cluster_what + ": server is missing");
  access.insecure_skip_tls_verify = Str(cluster, "insecure-skip-tls-verify") == "true";
  if (Status s = ReadPem(cluster, "certificate-authority-data", "certificate-authority", base_dir,
                         cluster_what, &access.ca_pem);
      !s.ok())
    return s;
  if (user_name.empty()) return access;  // anonymous
  YAML::Node user = FindNamed(root["users"], user_name, "user");
  std::string user_what = source + ": user \"" + user_name + "\"";
  if (!user) return Status::Error(user_what + " not found");
  if (user["exec"] || user["auth-provider"]) {
    return Status::Error(user_what +
                         ": exec and auth-provider credentials are not supported; use a token, "
                         "tokenFile or client certificate");
  }
  access.token = Str(user, "token");
  if (std::string file = Str(user, "tokenFile"); !file.empty()) {
    access.token_file = Resolve(base_dir, file);
  }
  if (Status s = ReadPem(user, "client-certificate-data", "client-certificate", base_dir, user_what,
                         &access.client_cert_pem);
      !s.ok())
    return s;
  if (Status s = ReadPem(user, "client-key-data", "client-key", base_dir, user_what,
                         &access.client_key_pem);
      !s.ok())
    return s;
  if (access.client_cert_pem.empty() != access.client_key_pem.empty()) {
    return Status::Error(user_what + ": a client certificate needs both certificate and key");
  }
  return access;
}

}  // namespace

Result<ClusterAccess> ParseKubeconfig(std::string_view text, const std::string& source,
                                      const std::string& base_dir, const std::string& context) {
  try {
    return FromYaml(YAML::Load(std::string(text)), source, base_dir, context);
  } catch (const YAML::Exception& e) {
    return Status::Error(source + ": invalid YAML: line " + std::to_string(e.mark.line + 1) + ": " +
                         e.msg);
  }
}

Result<ClusterAccess> LoadKubeconfig(const std::string& path, const std::string& context) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  return ParseKubeconfig(*text, path, base_dir, context);
}

Result<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  size_t padding = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      ++padding;
      continue;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else {
      return Status::Error("invalid base64");
    }
    if (padding > 0) return Status::Error("invalid base64");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) return Status::Error("invalid base64");
  if (count == 2) out.push_back(static_cast<char>((bits >> 4) & 0xff));
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xff));
    out.push_back(static_cast<char>((bits >> 2) & 0xff));
  }
  return out;
}

}  // namespace microseg::kube
