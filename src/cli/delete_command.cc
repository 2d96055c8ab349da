// `microseg delete KIND NAME [-n NS]` or `microseg delete -f PATH...`.
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/api/api_kinds.h"
#include "controller/client/api_client.h"

namespace microseg::cli {

namespace {

struct DeleteArgs {
  std::vector<std::string> positional;  // KIND NAME
  std::vector<std::string> paths;
  std::string ns;
  ClientFlags client;
};

}  // namespace

Action InstallDelete(CLI::App& app) {
  auto args = std::make_shared<DeleteArgs>();
  app.add_option("kind_name", args->positional, "KIND NAME (e.g. pod web, netpol allow-web)");
  app.add_option("-f,--filename", args->paths,
                 "Delete the objects these manifests name ('-' for stdin), all or nothing");
  app.add_option("-n,--namespace", args->ns, "Namespace of a namespaced kind (default: default)");
  AddClientFlags(app, &args->client);
  return [args]() {
    const bool by_file = !args->paths.empty();
    if (by_file == !args->positional.empty() || (!by_file && args->positional.size() != 2)) {
      return Fail("usage: microseg delete KIND NAME [-n NAMESPACE], or microseg delete -f PATH");
    }
    Result<ClientConfig> config = ResolveClientConfig(args->client);
    if (!config.ok()) return Fail(config.status().message());
    ApiClient client(config->server, config->token, config->tls);
    Result<Json> reply = Status::Error("unreachable");
    if (by_file) {
      Result<std::vector<ManifestSource>> sources = ReadManifestFiles(args->paths);
      if (!sources.ok()) return Fail(sources.status().message());
      reply = client.DeleteManifests(*sources);
    } else {
      const ApiKind* kind = ResolveKind(args->positional[0]);
      if (kind == nullptr) {
        return Fail("unknown kind " + args->positional[0] + " (supported: " + KindList() + ")");
      }
      std::optional<std::string> ns;
      if (kind->namespaced) ns = args->ns.empty() ? "default" : args->ns;
      reply = client.Delete(std::string(kind->kind), args->positional[1], ns);
    }
    if (!reply.ok()) return Fail(reply.status().message());
    for (const Json& entry : reply->value("objects", Json::array())) {
      std::string name = entry.value("name", "");
      if (entry.contains("namespace")) name = entry.value("namespace", "") + "/" + name;
      std::cout << entry.value("kind", "") << " " << name << " deleted\n";
    }
    return 0;
  };
}

}  // namespace microseg::cli
