#include "cli/client_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "controller/api/object_json.h"
#include "controller/client/api_client.h"
#include "ingest/manifest_loader.h"

namespace microseg::cli {

namespace fs = std::filesystem;

namespace {

constexpr char kDefaultServer[] = "https://127.0.0.1:7443";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Error(path + ": read error");
  return text.str();
}

Result<std::string> ReadTokenFile(const std::string& path) {
  Result<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  std::string token = *text;
  token.erase(0, token.find_first_not_of(" \t\r\n"));
  token.erase(token.find_last_not_of(" \t\r\n") + 1);
  if (token.empty()) return Status::Error(path + ": empty token file");
  return token;
}

struct FileConfig {
  std::string server;
  std::string token;
  std::string token_file;
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
};

Result<FileConfig> ReadConfigFile(const std::string& path, bool required) {
  FileConfig config;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (required) return Status::Error(path + ": no such file");
    return config;
  }
  Result<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  try {
    YAML::Node root = YAML::Load(*text);
    if (root.IsNull()) return config;
    if (!root.IsMap()) return Status::Error(path + ": expected a map of server, token");
    if (root["server"]) config.server = root["server"].as<std::string>();
    if (root["token"]) config.token = root["token"].as<std::string>();
    if (root["token-file"]) config.token_file = root["token-file"].as<std::string>();
    if (root["ca-file"]) config.ca_file = root["ca-file"].as<std::string>();
    if (root["client-cert"]) config.client_cert = root["client-cert"].as<std::string>();
    if (root["client-key"]) config.client_key = root["client-key"].as<std::string>();
    if (config.client_cert.empty() != config.client_key.empty()) {
      return Status::Error(path + ": client-cert and client-key go together");
    }
  } catch (const YAML::Exception& e) {
    return Status::Error(path + ": " + e.what());
  }
  return config;
}

bool IsManifestFile(const fs::path& path) {
  std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

}  // namespace

void AddClientFlags(CLI::App& app, ClientFlags* flags) {
  app.add_option("--server", flags->server,
                 "Controller URL (default: $MICROSEG_SERVER, the config file, or " +
                     std::string(kDefaultServer) + ")");
  app.add_option("--token-file", flags->token_file,
                 "File holding the API token (default: $MICROSEG_TOKEN or the config file)");
  app.add_option("--config", flags->config,
                 "Client config file (default: $MICROSEG_CONFIG or ~/.microseg/config)");
  app.add_option("--ca-file", flags->ca_file,
                 "The controller's CA certificate, DATA_DIR/ca.crt (default: $MICROSEG_CA_FILE, "
                 "the config file, or ~/.microseg/ca.crt)");
}

Result<ClientConfig> ResolveClientConfig(const ClientFlags& flags) {
  std::string path = flags.config;
  bool required = !path.empty();
  if (path.empty()) path = Env("MICROSEG_CONFIG");
  required = required || !path.empty();
  if (path.empty() && !Env("HOME").empty()) path = Env("HOME") + "/.microseg/config";
  FileConfig file;
  if (!path.empty()) {
    Result<FileConfig> read = ReadConfigFile(path, required);
    if (!read.ok()) return read.status();
    file = *read;
  }

  ClientConfig config;
  config.server = !flags.server.empty()             ? flags.server
                  : !Env("MICROSEG_SERVER").empty() ? Env("MICROSEG_SERVER")
                  : !file.server.empty()            ? file.server
                                                    : kDefaultServer;
  if (config.server.find("://") == std::string::npos) config.server = "https://" + config.server;
  const std::string home_ca = Env("HOME").empty() ? "" : Env("HOME") + "/.microseg/ca.crt";
  std::error_code ec;
  config.tls.ca_file = !flags.ca_file.empty()              ? flags.ca_file
                       : !Env("MICROSEG_CA_FILE").empty()  ? Env("MICROSEG_CA_FILE")
                       : !file.ca_file.empty()             ? file.ca_file
                       : !home_ca.empty() && fs::exists(home_ca, ec) ? home_ca
                                                                     : "";
  if (!config.tls.ca_file.empty() && !fs::exists(config.tls.ca_file, ec)) {
    return Status::Error(config.tls.ca_file + ": no such CA file");
  }
  config.tls.cert_file = file.client_cert;
  config.tls.key_file = file.client_key;
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();

  if (!flags.token_file.empty()) {
    Result<std::string> token = ReadTokenFile(flags.token_file);
    if (!token.ok()) return token.status();
    config.token = *token;
  } else if (!Env("MICROSEG_TOKEN").empty()) {
    config.token = Env("MICROSEG_TOKEN");
  } else if (!file.token.empty()) {
    config.token = file.token;
  } else if (!file.token_file.empty()) {
    Result<std::string> token = ReadTokenFile(file.token_file);
    if (!token.ok()) return token.status();
    config.token = *token;
  } else {
    return Status::Error(
        "no API token: pass --token-file DATA_DIR/admin.token, set MICROSEG_TOKEN, or add "
        "`token:` to ~/.microseg/config");
  }
  return config;
}

Result<ObjectSet> FetchObjectSet(const ClientConfig& config) {
  ApiClient client(config.server, config.token, config.tls);
  Result<Json> list = client.List("", std::nullopt);
  if (!list.ok()) return list.status();
  Result<LoadedManifests> loaded = ParseManifests(DumpJson(*list), config.server);
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->objects);
}

Result<std::vector<ManifestSource>> ReadManifestFiles(const std::vector<std::string>& paths) {
  std::vector<ManifestSource> sources;
  bool stdin_read = false;
  for (const std::string& path : paths) {
    if (path == "-") {
      if (stdin_read) continue;
      stdin_read = true;
      std::stringstream text;
      text << std::cin.rdbuf();
      sources.push_back({"<stdin>", text.str()});
      continue;
    }
    std::error_code ec;
    if (!fs::exists(path, ec)) return Status::Error(path + ": no such file or directory");
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file() && IsManifestFile(it->path())) files.push_back(it->path());
      }
      if (ec) return Status::Error(path + ": " + ec.message());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const std::string& file : files) {
      Result<std::string> text = ReadText(file);
      if (!text.ok()) return text.status();
      sources.push_back({file, std::move(*text)});
    }
  }
  return sources;
}

}  // namespace microseg::cli
