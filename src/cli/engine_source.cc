#include "cli/engine_source.h"

#include <iostream>

#include "ingest/manifest_loader.h"

namespace microseg::cli {

Result<std::unique_ptr<PolicyEngine>> LoadEngine(const std::vector<std::string>& paths) {
  auto loaded = LoadManifests(paths);
  if (!loaded.ok()) return loaded.status();
  for (const std::string& w : loaded->warnings) std::cerr << "warning: " << w << "\n";
  auto engine = std::make_unique<PolicyEngine>();
  engine->Load(std::move(loaded->objects));
  return engine;
}

int Fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

}  // namespace microseg::cli
