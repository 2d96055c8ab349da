// `microseg validate`: the verdict an apply would give, with every error.
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/commands.h"
#include "cli/engine_source.h"
#include "controller/api/apply_request.h"

namespace microseg::cli {

Action InstallValidate(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  app.add_option("-f,--filename", *paths, "Manifest files or directories ('-' for stdin)")
      ->required();
  return [paths]() {
    // The same reading and checks as `apply`, without a controller.
    Result<std::vector<ManifestSource>> sources = ReadManifestFiles(*paths);
    if (!sources.ok()) return Fail(sources.status().message());
    size_t objects = 0;
    std::vector<std::string> errors = ValidateApplyRequest(*sources, &objects);
    for (const std::string& error : errors) Fail(error);
    if (!errors.empty()) return 1;
    std::cout << "valid: " << objects << " objects\n";
    return 0;
  };
}

}  // namespace microseg::cli
