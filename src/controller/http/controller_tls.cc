#include "controller/http/controller_tls.h"

#include "controller/pki/server_tls.h"

namespace microseg {

Result<std::unique_ptr<ControllerTls>> LoadControllerTls(
    const std::string& data_dir, const std::string& listen_host,
    const std::vector<std::string>& extra_names) {
  auto tls = std::make_unique<ControllerTls>();
  Result<pki::CertificateAuthority> ca = pki::CertificateAuthority::LoadOrCreate(data_dir);
  if (!ca.ok()) return ca.status();
  tls->ca = std::make_unique<pki::CertificateAuthority>(std::move(*ca));
  tls->ca_file = data_dir + "/ca.crt";
  Result<std::unique_ptr<pki::JoinTokenStore>> tokens =
      pki::JoinTokenStore::Open(data_dir + "/join-tokens.json");
  if (!tokens.ok()) return tokens.status();
  tls->join_tokens = std::move(*tokens);
  Result<pki::Credentials> server = tls->ca->IssueServer(
      pki::ServerNames(listen_host, extra_names), pki::kServerCertDays);
  if (!server.ok()) return server.status();
  tls->server = std::move(*server);
  return tls;
}

std::unique_ptr<httplib::Server> MakeServer(const ControllerTls* tls, const ServerLimits& limits) {
  if (tls == nullptr) return MakeHardenedServer(limits, nullptr);
  return MakeHardenedServer(limits, [tls](SSL_CTX& ctx) {
    return pki::ConfigureServerContext(&ctx, tls->server, tls->ca->cert()).ok();
  });
}

}  // namespace microseg
