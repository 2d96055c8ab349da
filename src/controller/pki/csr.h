// Certificate signing requests: an agent makes one with its own key (which
// never leaves the host); the controller checks it before signing.
#pragma once

#include <string>

#include "common/status.h"
#include "controller/pki/openssl_util.h"

namespace microseg::pki {

// A CSR for `node` (CN and URI SAN), signed with `key`, as PEM.
Result<std::string> MakeCsrPem(EVP_PKEY* key, const std::string& node);

// Decodes a CSR and checks its self-signature and key type. Its subject and
// extensions are ignored: the controller decides what it certifies.
Result<CsrPtr> ParseCsr(const std::string& pem);

}  // namespace microseg::pki
