#include "controller/pki/csr.h"

#include <openssl/x509v3.h>

#include "controller/pki/identity.h"
#include "controller/pki/key.h"
#include "controller/pki/pem.h"

namespace microseg::pki {

Result<std::string> MakeCsrPem(EVP_PKEY* key, const std::string& node) {
  CsrPtr csr(X509_REQ_new());
  if (!csr || X509_REQ_set_version(csr.get(), 0) != 1 || X509_REQ_set_pubkey(csr.get(), key) != 1) {
    return Status::Error(OpenSslError("making a CSR"));
  }
  X509_NAME* subject = X509_REQ_get_subject_name(csr.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(node.c_str()), -1, -1,
                                 0) != 1) {
    return Status::Error(OpenSslError("making a CSR: subject"));
  }
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  std::string san = "URI:" + NodeIdentityUri(node);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  bool ok = ext != nullptr && sk_X509_EXTENSION_push(exts, ext) > 0 &&
            X509_REQ_add_extensions(csr.get(), exts) == 1;
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  if (!ok) return Status::Error(OpenSslError("making a CSR: subjectAltName"));
  if (X509_REQ_sign(csr.get(), key, EVP_sha256()) <= 0) {
    return Status::Error(OpenSslError("signing a CSR"));
  }
  return CsrToPem(csr.get());
}

Result<CsrPtr> ParseCsr(const std::string& pem) {
  Result<CsrPtr> csr = CsrFromPem(pem, "csr");
  if (!csr.ok()) return csr.status();
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr->get());
  if (key == nullptr) return Status::Error("csr: no public key");
  std::string why;
  if (!AcceptableKey(key, &why)) return Status::Error("csr: " + why);
  if (X509_REQ_verify(csr->get(), key) != 1) {
    return Status::Error(OpenSslError("csr: its signature does not match its key"));
  }
  return std::move(*csr);
}

}  // namespace microseg::pki
