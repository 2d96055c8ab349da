#include "controller/pki/key.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>

#include <string>

namespace microseg::pki {

Result<KeyPtr> GenerateKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Error(OpenSslError("generating an ECDSA P-256 key"));
  return key;
}

bool AcceptableKey(EVP_PKEY* key, std::string* why) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1) {
      *why = "an EC key without a named curve";
      return false;
    }
    std::string name(group, len);
    if (name == "prime256v1" || name == "P-256" || name == "secp384r1" || name == "P-384" ||
        name == "secp521r1" || name == "P-521") {
      return true;
    }
    *why = "EC curve " + name + " (accepted: P-256, P-384, P-521)";
    return false;
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) >= 2048) return true;
    *why = "an RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) + " bits (at least 2048)";
    return false;
  }
  *why = "an unsupported key type (use ECDSA P-256)";
  return false;
}

}  // namespace microseg::pki
