// PEM text <-> OpenSSL objects: private keys (PKCS#8), certificates, CSRs.
// Decoders name `what` (a file or a request field) in their errors.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "controller/pki/openssl_util.h"

namespace microseg::pki {

Result<std::string> KeyToPem(EVP_PKEY* key);
Result<std::string> CertToPem(X509* cert);
Result<std::string> CsrToPem(X509_REQ* csr);

Result<KeyPtr> KeyFromPem(const std::string& pem, const std::string& what);
// The first certificate of `pem`.
Result<CertPtr> CertFromPem(const std::string& pem, const std::string& what);
Result<CsrPtr> CsrFromPem(const std::string& pem, const std::string& what);

}  // namespace microseg::pki
