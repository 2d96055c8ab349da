// `microseg token create --node NAME [--ttl 1h] [-o text|json]` and
// `microseg token list`: join tokens, with which an agent enrolls for its
// certificate once (docs/CONTROLLER.md, "Security"). Needs the admin token.
#include <charconv>
#include <iostream>
#include <memory>

#include "cli/client_config.h"
#include "cli/controller_commands.h"
#include "cli/engine_source.h"
#include "controller/api/object_json.h"
#include "controller/client/api_client.h"
#include "ingest/json_text.h"

namespace microseg::cli {

namespace {

struct TokenArgs {
  std::string node;
  std::string ttl = "1h";
  std::string output = "text";
  ClientFlags client;
};

// "90s", "15m", "1h", "7d" or plain seconds.
Result<int64_t> ParseTtl(const std::string& text) {
  int64_t value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || value <= 0) {
    return Status::Error("--ttl " + text + ": expected a duration such as 15m, 1h or 7d");
  }
  std::string unit(ptr, last);
  int64_t scale = unit.empty() || unit == "s" ? 1
                  : unit == "m"               ? 60
                  : unit == "h"               ? 3600
                  : unit == "d"               ? 86400
                                              : 0;
  if (scale == 0) return Status::Error("--ttl " + text + ": units are s, m, h or d");
  return value * scale;
}

}  // namespace

Action InstallToken(CLI::App& app) {
  auto args = std::make_shared<TokenArgs>();
  app.require_subcommand(1);
  CLI::App* create = app.add_subcommand("create", "A single-use join token for one node");
  create->add_option("--node", args->node, "The node (or host) that will enroll with it")
      ->required();
  create->add_option("--ttl", args->ttl, "How long it may be used: 90s, 15m, 1h, 7d (at most 7d)")
      ->capture_default_str();
  create->add_option("-o,--output", args->output, "text (with the agent's command line) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddClientFlags(*create, &args->client);
  CLI::App* list = app.add_subcommand("list", "Join tokens not yet pruned: node, expiry, used");
  AddClientFlags(*list, &args->client);
  app.footer(
      "The agent then runs: microseg agent --controller URL --node NAME --join-token TOKEN "
      "--ca-sha256 FINGERPRINT");
  return [args, create, list]() {
    Result<ClientConfig> config = ResolveClientConfig(args->client);
    if (!config.ok()) return Fail(config.status().message());
    ApiClient client(config->server, config->token, config->tls);
    if (list->parsed()) {
      Result<ApiReply> reply = client.Send("GET", "/api/v1/join-tokens");
      if (!reply.ok()) return Fail(reply.status().message());
      Json body = ParseUntrustedJson(reply->body);
      if (reply->status != 200 || !body.is_object() || !body.contains("items")) {
        return Fail(body.is_object() && body.contains("error") ? body["error"].dump()
                                                               : "unexpected reply");
      }
      std::cout << "NODE\tEXPIRES\tUSED\n";
      for (const Json& item : body["items"]) {
        std::cout << item.value("node", "") << "\t" << item.value("expires", "") << "\t"
                  << (item.value("used", false) ? "yes" : "no") << "\n";
      }
      return 0;
    }
    (void)create;
    Result<int64_t> ttl = ParseTtl(args->ttl);
    if (!ttl.ok()) return Fail(ttl.status().message());
    Json request{{"node", args->node}, {"ttlSeconds", *ttl}};
    Result<ApiReply> reply = client.Send("POST", "/api/v1/join-tokens", request.dump());
    if (!reply.ok()) return Fail(reply.status().message());
    Json body = ParseUntrustedJson(reply->body);
    if (reply->status != 200 || !body.is_object() || !body.contains("token")) {
      return Fail(body.is_object() && body.contains("error") && body["error"].is_string()
                      ? body["error"].get<std::string>()
                      : "HTTP " + std::to_string(reply->status));
    }
    if (args->output == "json") {
      std::cout << DumpJson(body) << "\n";
      return 0;
    }
    std::cout << "join token for node " << body.value("node", "") << " (single use, expires "
              << body.value("expires", "") << "):\n  " << body.value("token", "")
              << "\non the node, as root:\n  microseg agent --controller " << config->server
              << " --node " << body.value("node", "") << " --join-token "
              << body.value("token", "") << " --ca-sha256 " << body.value("caSha256", "") << "\n";
    return 0;
  };
}

}  // namespace microseg::cli
