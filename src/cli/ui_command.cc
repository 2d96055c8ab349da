// `microseg ui`: the address of the controller's web UI (the dependency
// map), with the API token in the URL fragment. Browsers never send the
// fragment to the server; the page keeps the token in sessionStorage.
#include <cctype>
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"

namespace microseg::cli {
namespace {

// Percent-encodes all but RFC 3986 unreserved characters.
std::string EncodeFragmentValue(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Action InstallUi(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  AddClientFlags(app, flags.get());
  app.footer("Open the printed URL in a browser. It holds the API token: keep it as secret.");
  return [flags]() {
    auto config = ResolveClientConfig(*flags);
    if (!config.ok()) return Fail(config.status().message());
    std::cout << config->server << "/ui/#token=" << EncodeFragmentValue(config->token) << "\n";
    return 0;
  };
}

}  // namespace microseg::cli
