// PEM text -> OpenSSL objects, owned by unique_ptrs.
//
// kubeconfigs carry certificates and keys inline (base64 PEM), so the
// client builds its TLS material from memory rather than from files.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

#include "common/status.h"

namespace microseg::kube {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreFree>;

// The first certificate in `pem`; `what` names it in errors.
Result<X509Ptr> ParseCertificate(std::string_view pem, std::string_view what);
Result<EvpPkeyPtr> ParsePrivateKey(std::string_view pem, std::string_view what);
// A store holding every certificate in `pem` (at least one).
Result<X509StorePtr> ParseCaBundle(std::string_view pem, std::string_view what);

}  // namespace microseg::kube
