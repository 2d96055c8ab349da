// RAII owners for OpenSSL objects and the message of OpenSSL's error queue.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "common/status.h"

// Returns the Status of `expr` when it is an error.
#define PKI_RETURN_IF_ERROR(expr)                        \
  do {                                                   \
    ::microseg::Status pki_status_ = (expr);             \
    if (!pki_status_.ok()) return pki_status_;           \
  } while (0)

namespace microseg::pki {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct X509ReqFree {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
struct X509StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CertPtr = std::unique_ptr<X509, X509Free>;
using CsrPtr = std::unique_ptr<X509_REQ, X509ReqFree>;
using StorePtr = std::unique_ptr<X509_STORE, X509StoreFree>;

// "WHAT: <OpenSSL's first queued error>", and clears the queue.
std::string OpenSslError(const std::string& what);

// A new reference to `cert` (X509_up_ref).
CertPtr ShareCert(X509* cert);

}  // namespace microseg::pki
