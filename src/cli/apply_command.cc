// `microseg apply -f PATH...`: send manifests to the controller, all or nothing.
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/client/api_client.h"

namespace microseg::cli {

namespace {

// "Pod shop/web" from a result entry of the API.
std::string Describe(const Json& entry) {
  std::string out = entry.value("kind", "") + " ";
  if (entry.contains("namespace")) out += entry.value("namespace", "") + "/";
  return out + entry.value("name", "");
}

}  // namespace

Action InstallApply(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto flags = std::make_shared<ClientFlags>();
  app.add_option("-f,--filename", *paths, "Manifest files or directories ('-' for stdin)")
      ->required();
  AddClientFlags(app, flags.get());
  return [paths, flags]() {
    Result<ClientConfig> config = ResolveClientConfig(*flags);
    if (!config.ok()) return Fail(config.status().message());
    Result<std::vector<ManifestSource>> sources = ReadManifestFiles(*paths);
    if (!sources.ok()) return Fail(sources.status().message());
    Result<Json> reply = ApiClient(config->server, config->token, config->tls).Apply(*sources);
    if (!reply.ok()) return Fail(reply.status().message());
    for (const Json& w : reply->value("warnings", Json::array())) {
      if (w.is_string()) std::cerr << "warning: " << w.get<std::string>() << "\n";
    }
    for (const Json& entry : reply->value("objects", Json::array())) {
      std::cout << Describe(entry) << " " << entry.value("result", "") << "\n";
    }
    return 0;
  };
}

}  // namespace microseg::cli
