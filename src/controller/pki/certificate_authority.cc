#include "controller/pki/certificate_authority.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "controller/pki/identity.h"
#include "controller/pki/key.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"

namespace microseg::pki {

namespace {

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Status SetCommonName(X509_NAME* name, const std::string& cn) {
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return Status::Error(OpenSslError("certificate subject " + cn));
  }
  return Status::Ok();
}

// A v3 certificate for `public_key` and `cn`, valid from 5 minutes ago (clock
// skew) for `days`, with a random 159-bit serial; not yet signed.
Result<CertPtr> NewCert(EVP_PKEY* public_key, const std::string& cn, int days) {
  CertPtr cert(X509_new());
  BIGNUM* serial = BN_new();
  bool ok = cert && serial && X509_set_version(cert.get(), 2) == 1 &&
            BN_rand(serial, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) != nullptr &&
            X509_set_pubkey(cert.get(), public_key) == 1;
  BN_free(serial);
  if (!ok) return Status::Error(OpenSslError("making a certificate for " + cn));
  PKI_RETURN_IF_ERROR(SetCommonName(X509_get_subject_name(cert.get()), cn));
  return cert;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  if (!ok) return Status::Error(OpenSslError(std::string("certificate extension ") + OBJ_nid2sn(nid)));
  return Status::Ok();
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return Status::Error(OpenSslError("signing a certificate"));
  }
  return Status::Ok();
}

}  // namespace

Result<CertificateAuthority> CertificateAuthority::Create(const std::string& common_name) {
  Result<KeyPtr> key = GenerateKey();
  if (!key.ok()) return key.status();
  Result<CertPtr> cert = NewCert(key->get(), common_name, kCaDays);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) {
    return Status::Error(OpenSslError("CA issuer"));
  }
  PKI_RETURN_IF_ERROR(AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  PKI_RETURN_IF_ERROR(AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  PKI_RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  PKI_RETURN_IF_ERROR(Sign(c, key->get()));
  Result<std::string> pem = CertToPem(c);
  if (!pem.ok()) return pem.status();
  return CertificateAuthority(std::move(*key), std::move(*cert), std::move(*pem));
}

Result<CertificateAuthority> CertificateAuthority::LoadOrCreate(const std::string& dir) {
  const std::string key_path = dir + "/ca.key";
  const std::string cert_path = dir + "/ca.crt";
  const bool have_key = FileExists(key_path), have_cert = FileExists(cert_path);
  if (have_key != have_cert) {
    return Status::Error(dir + ": " + (have_key ? "ca.key without ca.crt" : "ca.crt without ca.key") +
                         "; restore the missing file, or remove both to make a new CA (every "
                         "agent must then enroll again)");
  }
  if (have_key) {
    Result<std::string> key_pem = ReadFileText(key_path);
    if (!key_pem.ok()) return key_pem.status();
    Result<std::string> cert_pem = ReadFileText(cert_path);
    if (!cert_pem.ok()) return cert_pem.status();
    Result<KeyPtr> key = KeyFromPem(*key_pem, key_path);
    if (!key.ok()) return key.status();
    Result<CertPtr> cert = CertFromPem(*cert_pem, cert_path);
    if (!cert.ok()) return cert.status();
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
      return Status::Error(OpenSslError(cert_path + " does not match " + key_path));
    }
    Result<std::string> pem = CertToPem(cert->get());
    if (!pem.ok()) return pem.status();
    return CertificateAuthority(std::move(*key), std::move(*cert), std::move(*pem));
  }
  Result<CertificateAuthority> ca = Create("microseg controller CA");
  if (!ca.ok()) return ca.status();
  Result<std::string> key_pem = KeyToPem(ca->key_.get());
  if (!key_pem.ok()) return key_pem.status();
  // The key first: a crash in between leaves a key without a certificate,
  // which the next start reports rather than silently replacing.
  PKI_RETURN_IF_ERROR(WriteFileAtomic(key_path, *key_pem, 0600));
  PKI_RETURN_IF_ERROR(WriteFileAtomic(cert_path, ca->cert_pem_, 0644));
  return std::move(*ca);
}

std::string CertificateAuthority::fingerprint() const { return Sha256Fingerprint(cert_.get()); }

Result<Credentials> CertificateAuthority::IssueServer(const std::vector<std::string>& names,
                                                      int days) const {
  if (names.empty()) return Status::Error("a server certificate needs at least one name");
  Result<KeyPtr> key = GenerateKey();
  if (!key.ok()) return key.status();
  Result<CertPtr> cert = NewCert(key->get(), names.front(), days);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(cert_.get())) != 1) {
    return Status::Error(OpenSslError("server certificate issuer"));
  }
  std::string san;
  for (const std::string& name : names) {
    if (!san.empty()) san += ",";
    san += (IsIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_basic_constraints, "critical,CA:FALSE"));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_key_usage, "critical,digitalSignature"));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_ext_key_usage, "serverAuth"));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_subject_alt_name, san));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_authority_key_identifier, "keyid:always"));
  PKI_RETURN_IF_ERROR(Sign(c, key_.get()));
  return Credentials{std::move(*cert), std::move(*key)};
}

Result<CertPtr> CertificateAuthority::IssueAgent(EVP_PKEY* public_key, const std::string& node,
                                                 int days) const {
  Result<CertPtr> cert = NewCert(public_key, node, days);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(cert_.get())) != 1) {
    return Status::Error(OpenSslError("agent certificate issuer"));
  }
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_basic_constraints, "critical,CA:FALSE"));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_key_usage, "critical,digitalSignature"));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_ext_key_usage, "clientAuth"));
  PKI_RETURN_IF_ERROR(
      AddExtension(c, cert_.get(), NID_subject_alt_name, "URI:" + NodeIdentityUri(node)));
  PKI_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_authority_key_identifier, "keyid:always"));
  PKI_RETURN_IF_ERROR(Sign(c, key_.get()));
  return std::move(*cert);
}

}  // namespace microseg::pki
