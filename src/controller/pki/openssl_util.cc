#include "controller/pki/openssl_util.h"

#include <openssl/err.h>

namespace microseg::pki {

std::string OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return what + ": " + text;
}

CertPtr ShareCert(X509* cert) {
  if (cert != nullptr) X509_up_ref(cert);
  return CertPtr(cert);
}

}  // namespace microseg::pki
