#include "controller/http/enroll_handlers.h"

#include <openssl/asn1.h>

#include <ctime>

#include "controller/api/api_kinds.h"
#include "controller/http/http_reply.h"
#include "controller/pki/csr.h"
#include "controller/pki/pem.h"
#include "ingest/field.h"
#include "ingest/json_text.h"

namespace microseg {

namespace {

constexpr char kNoTls[] =
    "this controller serves plain HTTP (--insecure-http): it has no CA, so agents cannot enroll; "
    "use a bearer token, or restart it without --insecure-http";

std::string Rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string NotAfter(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void HandleEnroll(const pki::CertificateAuthority* ca, pki::JoinTokenStore* tokens,
                  int agent_cert_days, const httplib::Request& req, httplib::Response& res) {
  if (ca == nullptr || tokens == nullptr) return ReplyError(res, 400, kNoTls);
  Json body = ParseUntrustedJson(req.body);
  if (!body.is_object()) return ReplyError(res, 400, "enroll body: expected a JSON object");
  if (!body.contains("token") || !body["token"].is_string() ||
      body["token"].get_ref<const std::string&>().empty()) {
    return ReplyError(res, 400, "enroll body: token: a join token (string) is required");
  }
  if (!body.contains("csr") || !body["csr"].is_string()) {
    return ReplyError(res, 400, "enroll body: csr: a PEM certificate request (string) is required");
  }
  // The CSR first: a malformed one must not use up the token.
  Result<pki::CsrPtr> csr = pki::ParseCsr(body["csr"].get<std::string>());
  if (!csr.ok()) return ReplyError(res, 400, "enroll body: " + csr.status().message());
  Result<std::string> node = tokens->Redeem(body["token"].get<std::string>());
  if (!node.ok()) {
    res.set_header("WWW-Authenticate", "Bearer");
    return ReplyError(res, 401, node.status().message() + "; nothing was issued");
  }
  Result<pki::CertPtr> cert =
      ca->IssueAgent(X509_REQ_get0_pubkey(csr->get()), *node, agent_cert_days);
  if (!cert.ok()) return ReplyError(res, 500, cert.status().message());
  Result<std::string> pem = pki::CertToPem(cert->get());
  if (!pem.ok()) return ReplyError(res, 500, pem.status().message());
  ReplyJson(res, 200,
            {{"node", *node},
             {"certificate", *pem},
             {"ca", ca->cert_pem()},
             {"notAfter", NotAfter(cert->get())}});
}

void HandleCreateToken(const pki::CertificateAuthority* ca, pki::JoinTokenStore* tokens,
                       const httplib::Request& req, httplib::Response& res) {
  if (ca == nullptr || tokens == nullptr) return ReplyError(res, 400, kNoTls);
  Json body = ParseUntrustedJson(req.body);
  if (!body.is_object()) return ReplyError(res, 400, "join token body: expected a JSON object");
  if (!body.contains("node") || !body["node"].is_string()) {
    return ReplyError(res, 400, "join token body: node: required (string)");
  }
  const std::string node = body["node"].get<std::string>();
  if (!IsValidObjectName(node)) return ReplyError(res, 400, "invalid node name " + Quote(node));
  int64_t ttl = pki::kDefaultJoinTokenTtlSeconds;
  if (body.contains("ttlSeconds")) {
    if (!body["ttlSeconds"].is_number_integer()) {
      return ReplyError(res, 400, "join token body: ttlSeconds: expected an integer");
    }
    ttl = body["ttlSeconds"].get<int64_t>();
  }
  Result<pki::JoinToken> token = tokens->Create(node, ttl);
  if (!token.ok()) {
    bool bad_ttl = token.status().message().rfind("ttl:", 0) == 0;
    return ReplyError(res, bad_ttl ? 400 : 500, token.status().message());
  }
  ReplyJson(res, 200,
            {{"token", token->token},
             {"node", token->node},
             {"expires", Rfc3339(token->expires)},
             {"caSha256", ca->fingerprint()}});
}

}  // namespace

void AddEnrollRoutes(RouteTable* routes, const pki::CertificateAuthority* ca,
                     pki::JoinTokenStore* tokens, int agent_cert_days) {
  routes->push_back(
      {"GET", "/api/v1/ca", Access::kAnyone, [ca](const httplib::Request&, httplib::Response& res) {
         if (ca == nullptr) return ReplyError(res, 404, kNoTls);
         res.status = 200;
         res.set_content(ca->cert_pem(), "application/x-pem-file");
       }});
  routes->push_back(
      {"POST", "/api/v1/agents/enroll", Access::kAnyone,
       [ca, tokens, agent_cert_days](const httplib::Request& req, httplib::Response& res) {
         HandleEnroll(ca, tokens, agent_cert_days, req, res);
       }});
  routes->push_back({"POST", "/api/v1/join-tokens", Access::kAdmin,
                     [ca, tokens](const httplib::Request& req, httplib::Response& res) {
                       HandleCreateToken(ca, tokens, req, res);
                     }});
  routes->push_back(
      {"GET", "/api/v1/join-tokens", Access::kAdmin,
       [tokens](const httplib::Request&, httplib::Response& res) {
         if (tokens == nullptr) return ReplyError(res, 400, kNoTls);
         Json items = Json::array();
         for (const pki::JoinTokenStore::Entry& e : tokens->entries()) {
           Json item{{"node", e.node}, {"expires", Rfc3339(e.expires)}, {"used", e.used != 0}};
           items.push_back(std::move(item));
         }
         ReplyJson(res, 200, {{"items", std::move(items)}});
       }});
}

}  // namespace microseg
