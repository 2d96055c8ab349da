#include "controller/client/agent_enrollment.h"

#include <httplib.h>

#include "controller/pki/csr.h"
#include "controller/pki/identity.h"
#include "controller/pki/key.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"
#include "ingest/field.h"
#include "ingest/json_text.h"

namespace microseg {

namespace {

std::string CaPath(const std::string& dir) { return dir + "/ca.crt"; }
std::string KeyPath(const std::string& dir) { return dir + "/node.key"; }
std::string CertPath(const std::string& dir) { return dir + "/node.crt"; }

}  // namespace

bool HasAgentCredentials(const std::string& state_dir) {
  return pki::FileExists(CaPath(state_dir)) && pki::FileExists(KeyPath(state_dir)) &&
         pki::FileExists(CertPath(state_dir));
}

ClientTls AgentCredentialFiles(const std::string& state_dir) {
  return ClientTls{CaPath(state_dir), CertPath(state_dir), KeyPath(state_dir)};
}

Result<std::string> FetchPinnedCa(const std::string& server, const std::string& sha256) {
  Result<std::string> pin = pki::NormalizeFingerprint(sha256);
  if (!pin.ok()) return pin.status();
  if (server.rfind("https://", 0) != 0) {
    return Status::Error(server + ": enrollment needs an https:// controller URL");
  }
  httplib::Client client(server);
  // Not trusted yet: what it sends is checked against the pin below, and
  // nothing secret is sent on this connection.
  client.enable_server_certificate_verification(false);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  httplib::Result res = client.Get("/api/v1/ca");
  if (!res) return Status::Error(server + ": " + httplib::to_string(res.error()));
  if (res->status != 200) {
    return Status::Error(server + ": GET /api/v1/ca: HTTP " + std::to_string(res->status));
  }
  Result<pki::CertPtr> ca = pki::CertFromPem(res->body, server + "/api/v1/ca");
  if (!ca.ok()) return ca.status();
  const std::string actual = pki::Sha256Fingerprint(ca->get());
  if (actual != *pin) {
    return Status::Error(server + ": the controller's CA has SHA-256 " + actual + ", not " + *pin +
                         " (--ca-sha256): not trusting it");
  }
  return res->body;
}

Result<ClientTls> EnrollAgent(const EnrollOptions& options) {
  if (options.join_token.empty()) {
    return Status::Error("not enrolled (no certificate in " + options.state_dir +
                         "): a join token is needed, from `microseg token create --node " +
                         options.node + "`");
  }
  if (options.ca_file.empty() == options.ca_sha256.empty()) {
    return Status::Error(
        "enrolling needs exactly one of --ca-file (the controller's ca.crt) or --ca-sha256 "
        "(its fingerprint, printed by `microseg token create`)");
  }
  if (Status s = pki::MakePrivateDir(options.state_dir); !s.ok()) return s;
  std::string ca_pem;
  if (!options.ca_file.empty()) {
    Result<std::string> text = pki::ReadFileText(options.ca_file);
    if (!text.ok()) return text.status();
    Result<pki::CertPtr> parsed = pki::CertFromPem(*text, options.ca_file);
    if (!parsed.ok()) return parsed.status();
    ca_pem = *text;
  } else {
    Result<std::string> fetched = FetchPinnedCa(options.server, options.ca_sha256);
    if (!fetched.ok()) return fetched.status();
    ca_pem = *fetched;
  }
  const ClientTls files = AgentCredentialFiles(options.state_dir);
  if (Status s = pki::WriteFileAtomic(files.ca_file, ca_pem, 0644); !s.ok()) return s;

  Result<pki::KeyPtr> key = pki::GenerateKey();
  if (!key.ok()) return key.status();
  Result<std::string> key_pem = pki::KeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  Result<std::string> csr = pki::MakeCsrPem(key->get(), options.node);
  if (!csr.ok()) return csr.status();

  // Only the CA's certificate is trusted for the token's trip.
  ApiClient client(options.server, "", ClientTls{files.ca_file, "", ""});
  Json body{{"token", options.join_token}, {"csr", *csr}};
  Result<ApiReply> reply = client.Send("POST", "/api/v1/agents/enroll", body.dump());
  if (!reply.ok()) return reply.status();
  Json answer = ParseUntrustedJson(reply->body);
  if (reply->status != 200) {
    std::string message = answer.is_object() && answer.contains("error") &&
                                  answer["error"].is_string()
                              ? answer["error"].get<std::string>()
                              : "HTTP " + std::to_string(reply->status);
    return Status::Error("enrolling node " + options.node + ": " + message);
  }
  if (!answer.is_object() || !answer.contains("certificate") ||
      !answer["certificate"].is_string() || !answer.contains("node") ||
      !answer["node"].is_string()) {
    return Status::Error(options.server + ": unreadable enroll reply");
  }
  const std::string node = answer["node"].get<std::string>();
  if (node != options.node) {
    return Status::Error("the join token was made for node " + Quote(node) + ", not " +
                         Quote(options.node) + ": nothing was stored");
  }
  const std::string cert_pem = answer["certificate"].get<std::string>();
  Result<pki::CertPtr> cert = pki::CertFromPem(cert_pem, "enroll reply");
  if (!cert.ok()) return cert.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1 ||
      pki::NodeOfCertificate(cert->get()) != options.node) {
    return Status::Error(options.server + ": the issued certificate is not for our key and node");
  }
  if (Status s = pki::WriteFileAtomic(files.key_file, *key_pem, 0600); !s.ok()) return s;
  if (Status s = pki::WriteFileAtomic(files.cert_file, cert_pem, 0644); !s.ok()) return s;
  return files;
}

}  // namespace microseg
