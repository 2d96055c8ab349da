// `microseg controller`: serve the HTTP/JSON API until SIGINT or SIGTERM;
// HTTPS with the controller's own CA unless --insecure-http.
#include <signal.h>

#include <iostream>
#include <memory>

#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/http/controller.h"

namespace microseg::cli {

Action InstallController(CLI::App& app) {
  auto options = std::make_shared<ControllerOptions>();
  options->tls = true;
  auto insecure = std::make_shared<bool>(false);
  app.add_option("--listen", options->listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--data-dir", options->data_dir,
                 "Directory for the admin token, the lock and (sqlite) state.db")
      ->required();
  app.add_option("--store", options->store, "sqlite, or etcd://HOST:PORT,... (etcd v3)")
      ->capture_default_str();
  app.add_option("--max-body-bytes", options->max_body_bytes,
                 "Larger request bodies (chunked too) are refused with 413")
      ->capture_default_str();
  app.add_option("--max-connections", options->threads,
                 "Connections served at once (each agent's watch holds one); more are closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-connections-per-ip", options->max_connections_per_ip,
                 "Of those, from one client IP address")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--request-timeout-ms", options->request_timeout_ms,
                 "The TLS handshake and each request (headers and body) must arrive within this")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-timeout-ms", options->idle_timeout_ms,
                 "A connection without a request for this long is closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--event-retention", options->event_retention,
                 "sqlite: revisions of watch history kept")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--flow-max-records", options->flow_max_records,
                 "Flow records kept (DATA_DIR/flows.db); the oldest received go first")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--flow-retention-s", options->flow_max_age_seconds,
                 "Flow records older than this many seconds are dropped")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--insecure-http", *insecure,
               "Serve plain HTTP: no TLS, no agent certificates (tests, or behind a TLS proxy)");
  app.add_option("--tls-san", options->tls_names,
                 "Another IP address or DNS name for the server certificate (repeatable); the "
                 "listen address, loopback, localhost and the hostname are always in it");
  app.add_option("--agent-cert-days", options->agent_cert_days,
                 "Lifetime of the certificates issued to enrolling agents")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  return [options, insecure]() {
    options->tls = !*insecure;
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
              << "; token: " << options->data_dir << "/admin.token";
    if (options->tls) {
      std::cout << "; CA: " << (*controller)->ca_file()
                << " sha256:" << (*controller)->ca_fingerprint();
    }
    std::cout << ")" << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    std::cout << "microseg controller: stopping" << std::endl;
    (*controller)->Stop();
    return 0;
  };
}

}  // namespace microseg::cli
