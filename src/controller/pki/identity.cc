#include "controller/pki/identity.h"

#include <openssl/x509v3.h>

#include <cctype>

namespace microseg::pki {

std::string NodeIdentityUri(const std::string& node) { return kNodeUriPrefix + node; }

std::optional<std::string> NodeOfCertificate(X509* cert) {
  if (cert == nullptr) return std::nullopt;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return std::nullopt;
  std::optional<std::string> node;
  int count = 0;
  const std::string prefix = kNodeUriPrefix;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
    if (text.rfind(prefix, 0) != 0 || text.size() == prefix.size()) continue;
    node = text.substr(prefix.size());
    ++count;
  }
  GENERAL_NAMES_free(names);
  if (count != 1) return std::nullopt;
  return node;
}

std::string Sha256Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return "";
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

Result<std::string> NormalizeFingerprint(const std::string& text) {
  std::string s = text;
  if (s.rfind("sha256:", 0) == 0) s = s.substr(7);
  std::string out;
  for (char c : s) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::Error("CA fingerprint " + text + ": expected 64 hex digits (SHA-256)");
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64) {
    return Status::Error("CA fingerprint " + text + ": expected 64 hex digits (SHA-256)");
  }
  return out;
}

}  // namespace microseg::pki
