// `microseg ui`: the address of the controller's web UI (the dependency
// map), with the API token in the URL fragment. Browsers never send the
// fragment to the server; the page keeps the token in sessionStorage.
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/client/api_client.h"

namespace microseg::cli {

Action InstallUi(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  AddClientFlags(app, flags.get());
  app.footer("Open the printed URL in a browser. It holds the API token: keep it as secret.");
  return [flags]() {
    auto config = ResolveClientConfig(*flags);
    if (!config.ok()) return Fail(config.status().message());
    std::cout << config->server << "/ui/#token=" << UrlEncode(config->token) << "\n";
    return 0;
  };
}

}  // namespace microseg::cli
