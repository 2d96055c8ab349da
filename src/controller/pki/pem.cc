#include "controller/pki/pem.h"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <memory>

namespace microseg::pki {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

template <typename Write>
Result<std::string> ToPem(Write write, const char* what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return Status::Error(OpenSslError(what));
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

BioPtr ReadBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

Result<std::string> KeyToPem(EVP_PKEY* key) {
  return ToPem(
      [key](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
      },
      "encoding a private key");
}

Result<std::string> CertToPem(X509* cert) {
  return ToPem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); }, "encoding a certificate");
}

Result<std::string> CsrToPem(X509_REQ* csr) {
  return ToPem([csr](BIO* b) { return PEM_write_bio_X509_REQ(b, csr); }, "encoding a CSR");
}

Result<KeyPtr> KeyFromPem(const std::string& pem, const std::string& what) {
  BioPtr bio = ReadBio(pem);
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return Status::Error(OpenSslError(what + ": not a PEM private key"));
  return key;
}

Result<CertPtr> CertFromPem(const std::string& pem, const std::string& what) {
  BioPtr bio = ReadBio(pem);
  CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return Status::Error(OpenSslError(what + ": not a PEM certificate"));
  return cert;
}

Result<CsrPtr> CsrFromPem(const std::string& pem, const std::string& what) {
  BioPtr bio = ReadBio(pem);
  CsrPtr csr(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!csr) {
    return Status::Error(OpenSslError(what + ": not a PEM certificate request"));
  }
  return csr;
}

}  // namespace microseg::pki
