// `microseg controller`: serve the HTTP/JSON API until SIGINT or SIGTERM.
#include <signal.h>

#include <iostream>
#include <memory>

#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/http/controller.h"

namespace microseg::cli {

Action InstallController(CLI::App& app) {
  auto options = std::make_shared<ControllerOptions>();
  app.add_option("--listen", options->listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--data-dir", options->data_dir,
                 "Directory for the admin token, the lock and (sqlite) state.db")
      ->required();
  app.add_option("--store", options->store, "sqlite, or etcd://HOST:PORT,... (etcd v3)")
      ->capture_default_str();
  app.add_option("--max-body-bytes", options->max_body_bytes,
                 "Larger request bodies are refused with 413")
      ->capture_default_str();
  app.add_option("--event-retention", options->event_retention,
                 "sqlite: revisions of watch history kept")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [options]() {
    // Signals are taken by sigwait below, not by whichever thread runs.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Result<std::unique_ptr<Controller>> controller = Controller::Start(*options);
    if (!controller.ok()) return Fail(controller.status().message());
    std::cout << "microseg controller: listening on " << (*controller)->url()
              << " (store: " << (*controller)->store().Describe()
              << "; token: " << options->data_dir << "/admin.token)" << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    std::cout << "microseg controller: stopping" << std::endl;
    (*controller)->Stop();
    return 0;
  };
}

}  // namespace microseg::cli
