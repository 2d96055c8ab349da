#include "cli/engine_source.h"

#include <iostream>

#include "cli/client_config.h"
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

void AddPolicyInputOptions(CLI::App& app, PolicyInput* input) {
  app.add_option("-f,--filename", input->paths,
                 "Manifest files or directories ('-' for stdin); without -f, the controller's state");
  AddClientFlags(app, &input->client);
}

Result<std::unique_ptr<PolicyEngine>> LoadEngine(const PolicyInput& input) {
  if (!input.paths.empty()) return LoadEngine(input.paths);
  auto config = ResolveClientConfig(input.client);
  if (!config.ok()) return config.status();
  auto objects = FetchObjectSet(*config);
  if (!objects.ok()) {
    return Status::Error("no -f given, and the controller at " + config->server +
                         " did not answer: " + objects.status().message());
  }
  auto engine = std::make_unique<PolicyEngine>();
  engine->Load(std::move(*objects));
  return engine;
}

int Fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

}  // namespace microseg::cli
