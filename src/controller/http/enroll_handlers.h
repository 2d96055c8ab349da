// Agent enrollment and join tokens (docs/CONTROLLER.md, Security):
//   GET  /api/v1/ca                 the CA certificate (PEM; public: agents
//                                   check it against --ca-sha256)
//   POST /api/v1/agents/enroll      {"token", "csr"} -> {"node", "certificate",
//                                   "ca", "notAfter"}; no other credentials
//   POST /api/v1/join-tokens        {"node", "ttlSeconds"} -> {"token", "node",
//                                   "expires", "caSha256"} (admin)
//   GET  /api/v1/join-tokens        {"items": [{node, expires, used}]} (admin)
// Without TLS (`--insecure-http`) there is no CA: these reply 400.
#pragma once

#include <httplib.h>

#include "controller/http/route_table.h"
#include "controller/pki/certificate_authority.h"
#include "controller/pki/join_tokens.h"

namespace microseg {

// `ca` and `tokens` may be null (plain HTTP); both outlive the server.
void AddEnrollRoutes(RouteTable* routes, const pki::CertificateAuthority* ca,
                     pki::JoinTokenStore* tokens, int agent_cert_days);

}  // namespace microseg
