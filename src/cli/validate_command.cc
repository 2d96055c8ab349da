// `microseg validate`: load manifests exactly as an apply would.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/engine_source.h"
#include "ingest/manifest_loader.h"

namespace microseg::cli {

Action InstallValidate(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  app.add_option("-f,--filename", *paths, "Manifest files or directories ('-' for stdin)")
      ->required();
  return [paths]() {
    auto loaded = LoadManifests(*paths);
    if (!loaded.ok()) return Fail(loaded.status().message());
    for (const std::string& w : loaded->warnings) std::cerr << "warning: " << w << "\n";
    std::cout << "valid: " << loaded->objects.size() << " objects\n";
    return 0;
  };
}

}  // namespace microseg::cli
