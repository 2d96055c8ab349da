// Private keys: ECDSA P-256, generated where they are used (the CA's in the
// controller's data directory, an agent's on its host; never sent).
#pragma once

#include "common/status.h"
#include "controller/pki/openssl_util.h"

namespace microseg::pki {

Result<KeyPtr> GenerateKey();

// True for keys the controller accepts in a CSR: EC P-256/P-384/P-521, or
// RSA of at least 2048 bits. `why` says what is wrong otherwise.
bool AcceptableKey(EVP_PKEY* key, std::string* why);

}  // namespace microseg::pki
