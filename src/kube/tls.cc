#include "kube/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

namespace microseg::kube {

namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Status PemError(std::string_view what, const char* expected) {
  ERR_clear_error();
  return Status::Error(std::string(what) + ": expected a PEM " + expected);
}

}  // namespace

Result<X509Ptr> ParseCertificate(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return PemError(what, "certificate");
  return cert;
}

Result<EvpPkeyPtr> ParsePrivateKey(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return PemError(what, "private key");
  return key;
}

Result<X509StorePtr> ParseCaBundle(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  X509StorePtr store(X509_STORE_new());
  if (!bio || !store) return PemError(what, "certificate bundle");
  int count = 0;
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) return PemError(what, "certificate");
    ++count;
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (count == 0) return PemError(what, "certificate bundle");
  return store;
}

}  // namespace microseg::kube
