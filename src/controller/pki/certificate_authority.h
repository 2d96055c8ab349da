// The controller's certificate authority (ECDSA P-256, self-signed).
//
// It signs the controller's server certificate (issued at every start for
// the names the controller is reached by; its key stays in memory) and the
// agents' client certificates (from their CSRs, naming the node as the URI
// SAN spiffe://microseg/node/NAME, extended key usage clientAuth). Agents
// and the CLI trust the controller through this CA's certificate.
//
// Files in the data directory: ca.key (mode 0600) and ca.crt (0644). An
// existing pair is kept, so certificates issued before a restart stay valid;
// controllers sharing one etcd cluster share a CA by copying both files.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "controller/pki/openssl_util.h"

namespace microseg::pki {

struct Credentials {
  CertPtr cert;
  KeyPtr key;
};

class CertificateAuthority {
 public:
  // DIR/ca.key and DIR/ca.crt, created on first use.
  static Result<CertificateAuthority> LoadOrCreate(const std::string& dir);
  // A new CA in memory only (tests: "another CA").
  static Result<CertificateAuthority> Create(const std::string& common_name);

  X509* cert() const { return cert_.get(); }
  const std::string& cert_pem() const { return cert_pem_; }
  std::string fingerprint() const;  // SHA-256, 64 hex digits

  // A server certificate (fresh key) for `names`: IP addresses and DNS
  // names, the first also its CN.
  Result<Credentials> IssueServer(const std::vector<std::string>& names, int days) const;
  // A client certificate for `node` over `public_key`.
  Result<CertPtr> IssueAgent(EVP_PKEY* public_key, const std::string& node, int days) const;

 private:
  CertificateAuthority(KeyPtr key, CertPtr cert, std::string cert_pem)
      : key_(std::move(key)), cert_(std::move(cert)), cert_pem_(std::move(cert_pem)) {}

  KeyPtr key_;
  CertPtr cert_;
  std::string cert_pem_;
};

// The CA's validity, and the default lifetimes of what it issues.
inline constexpr int kCaDays = 3650;
inline constexpr int kServerCertDays = 365;
inline constexpr int kAgentCertDays = 365;

}  // namespace microseg::pki
