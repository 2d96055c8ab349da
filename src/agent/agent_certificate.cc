#include "agent/agent_certificate.h"

#include <optional>

#include "controller/client/agent_enrollment.h"
#include "controller/pki/identity.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"

namespace microseg {
namespace {

Status CheckCredentialsNode(const std::string& state_dir, const std::string& node) {
  const std::string path = AgentCredentialFiles(state_dir).cert_file;
  Result<std::string> pem = pki::ReadFileText(path);
  if (!pem.ok()) return pem.status();
  Result<pki::CertPtr> cert = pki::CertFromPem(*pem, path);
  if (!cert.ok()) return cert.status();
  std::optional<std::string> named = pki::NodeOfCertificate(cert->get());
  if (named != node) {
    return Status::Error(path + " is the certificate of node " + named.value_or("(none)") +
                         ", not " + node + ": use another --state-dir");
  }
  return Status::Ok();
}

}  // namespace

Result<AgentCertificate> LoadOrEnrollCertificate(const AgentCertificateOptions& o) {
  AgentCertificate out;
  out.server = o.controller;
  if (out.server.find("://") == std::string::npos) out.server = "https://" + out.server;
  while (!out.server.empty() && out.server.back() == '/') out.server.pop_back();
  if (out.server.rfind("https://", 0) != 0) {
    return Status::Error("--controller " + o.controller +
                         ": agent certificates need an https:// controller");
  }
  if (HasAgentCredentials(o.state_dir)) {
    if (Status s = CheckCredentialsNode(o.state_dir, o.node); !s.ok()) return s;
    out.tls = AgentCredentialFiles(o.state_dir);
    return out;
  }
  EnrollOptions enroll;
  enroll.server = out.server;
  enroll.node = o.node;
  enroll.state_dir = o.state_dir;
  enroll.ca_file = o.ca_file;
  enroll.ca_sha256 = o.ca_sha256;
  enroll.join_token = o.join_token;
  if (!o.join_token_file.empty()) {
    Result<std::string> text = pki::ReadFileText(o.join_token_file);
    if (!text.ok()) return text.status();
    enroll.join_token = *text;
    enroll.join_token.erase(enroll.join_token.find_last_not_of(" \t\r\n") + 1);
  }
  Result<ClientTls> enrolled = EnrollAgent(enroll);
  if (!enrolled.ok()) return enrolled.status();
  out.tls = *enrolled;
  out.enrolled_now = true;
  return out;
}

}  // namespace microseg
