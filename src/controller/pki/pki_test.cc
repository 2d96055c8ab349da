// The controller's PKI: CA persistence, issued certificates and what they
// name, CSR checks, fingerprints, join tokens.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "controller/pki/certificate_authority.h"
#include "controller/pki/csr.h"
#include "controller/pki/identity.h"
#include "controller/pki/join_tokens.h"
#include "controller/pki/key.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"
#include "controller/pki/server_tls.h"
#include "controller/testing/temp_dir.h"

namespace microseg::pki {
namespace {

using microseg::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Whether `cert` chains to `ca` for `purpose` (X509_PURPOSE_SSL_CLIENT...).
bool Verifies(X509* cert, X509* ca, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(CertificateAuthorityTest, CreatedOnceThenKept) {
  TempDir dir;
  auto first = CertificateAuthority::LoadOrCreate(dir.path());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(ModeOf(dir.path() + "/ca.key"), 0600u);
  EXPECT_EQ(ModeOf(dir.path() + "/ca.crt"), 0644u);
  auto again = CertificateAuthority::LoadOrCreate(dir.path());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(first->fingerprint(), again->fingerprint());
  EXPECT_EQ(first->fingerprint().size(), 64u);
  EXPECT_EQ(X509_check_ca(first->cert()), 1);
}

TEST(CertificateAuthorityTest, AHalfPairIsAnErrorNotANewCa) {
  TempDir dir;
  ASSERT_TRUE(CertificateAuthority::LoadOrCreate(dir.path()).ok());
  ASSERT_EQ(std::remove((dir.path() + "/ca.crt").c_str()), 0);
  auto broken = CertificateAuthority::LoadOrCreate(dir.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("ca.key without ca.crt"), std::string::npos)
      << broken.status().message();
}

TEST(CertificateAuthorityTest, AgentCertificateNamesTheNodeAndIsForClientsOnly) {
  auto ca = CertificateAuthority::Create("test CA");
  ASSERT_TRUE(ca.ok());
  auto key = GenerateKey();
  ASSERT_TRUE(key.ok());
  auto csr_pem = MakeCsrPem(key->get(), "node-a");
  ASSERT_TRUE(csr_pem.ok()) << csr_pem.status().message();
  auto csr = ParseCsr(*csr_pem);
  ASSERT_TRUE(csr.ok()) << csr.status().message();
  auto cert = ca->IssueAgent(X509_REQ_get0_pubkey(csr->get()), "node-a", 30);
  ASSERT_TRUE(cert.ok()) << cert.status().message();
  EXPECT_EQ(NodeOfCertificate(cert->get()), "node-a");
  EXPECT_EQ(X509_check_private_key(cert->get(), key->get()), 1);
  EXPECT_TRUE(Verifies(cert->get(), ca->cert(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(Verifies(cert->get(), ca->cert(), X509_PURPOSE_SSL_SERVER));
  auto other = CertificateAuthority::Create("other CA");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(Verifies(cert->get(), other->cert(), X509_PURPOSE_SSL_CLIENT));
}

TEST(CertificateAuthorityTest, ServerCertificateCoversItsNamesAndNamesNoNode) {
  auto ca = CertificateAuthority::Create("test CA");
  ASSERT_TRUE(ca.ok());
  std::vector<std::string> names = ServerNames("127.0.0.1", {"ctl.example", "10.1.2.3"});
  auto server = ca->IssueServer(names, 30);
  ASSERT_TRUE(server.ok()) << server.status().message();
  X509* cert = server->cert.get();
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "10.1.2.3", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "ctl.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(cert, "10.9.9.9", 0), 1);
  EXPECT_TRUE(Verifies(cert, ca->cert(), X509_PURPOSE_SSL_SERVER));
  EXPECT_FALSE(Verifies(cert, ca->cert(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_EQ(NodeOfCertificate(cert), std::nullopt);
}

TEST(CsrTest, RejectsGarbageAndForgedSignatures) {
  EXPECT_FALSE(ParseCsr("").ok());
  EXPECT_FALSE(ParseCsr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                        "REQUEST-----\n")
                   .ok());
  // A CSR whose public key is not the one that signed it.
  auto signer = GenerateKey();
  auto other = GenerateKey();
  ASSERT_TRUE(signer.ok() && other.ok());
  CsrPtr csr(X509_REQ_new());
  X509_REQ_set_pubkey(csr.get(), other->get());
  ASSERT_GT(X509_REQ_sign(csr.get(), signer->get(), EVP_sha256()), 0);
  auto pem = CsrToPem(csr.get());
  ASSERT_TRUE(pem.ok());
  auto parsed = ParseCsr(*pem);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("signature does not match"), std::string::npos)
      << parsed.status().message();
}

TEST(FingerprintTest, AcceptsCommonSpellings) {
  const std::string hex(64, 'a');
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += (i ? ":" : "") + std::string("AA");
  EXPECT_EQ(*NormalizeFingerprint(hex), hex);
  EXPECT_EQ(*NormalizeFingerprint(colons), hex);
  EXPECT_EQ(*NormalizeFingerprint("sha256:" + hex), hex);
  EXPECT_FALSE(NormalizeFingerprint("abc").ok());
  EXPECT_FALSE(NormalizeFingerprint(std::string(64, 'g')).ok());
}

class JoinTokenTest : public ::testing::Test {
 protected:
  std::unique_ptr<JoinTokenStore> Open() {
    auto store = JoinTokenStore::Open(path_, [this] { return now_; });
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }
  TempDir dir_;
  std::string path_ = dir_.path() + "/join-tokens.json";
  int64_t now_ = 1'000'000;
};

TEST_F(JoinTokenTest, SingleUseForItsNode) {
  auto store = Open();
  auto token = store->Create("node-a", 3600);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->token.size(), 64u);
  EXPECT_EQ(token->expires, now_ + 3600);
  EXPECT_EQ(*store->Redeem(token->token), "node-a");
  auto again = store->Redeem(token->token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), "join token already used (tokens are single-use)");
  auto unknown = store->Redeem(std::string(64, '0'));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "invalid join token");
}

TEST_F(JoinTokenTest, ExpiresAndBoundsItsLifetime) {
  auto store = Open();
  auto token = store->Create("node-a", 60);
  ASSERT_TRUE(token.ok());
  now_ += 60;
  auto late = store->Redeem(token->token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().message(), "join token expired");
  EXPECT_FALSE(store->Create("node-a", 0).ok());
  EXPECT_FALSE(store->Create("node-a", kMaxJoinTokenTtlSeconds + 1).ok());
}

TEST_F(JoinTokenTest, StoredHashedAndKeptAcrossRestarts) {
  std::string secret;
  {
    auto store = Open();
    auto token = store->Create("node-b", 3600);
    ASSERT_TRUE(token.ok());
    secret = token->token;
  }
  auto text = ReadFileText(path_);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find(secret), std::string::npos);
  EXPECT_NE(text->find(HashJoinToken(secret)), std::string::npos);
  EXPECT_EQ(ModeOf(path_), 0600u);
  auto reopened = Open();
  EXPECT_EQ(*reopened->Redeem(secret), "node-b");
  // The use is persisted too.
  auto third = Open();
  EXPECT_FALSE(third->Redeem(secret).ok());
}

TEST_F(JoinTokenTest, OldEntriesArePruned) {
  auto store = Open();
  ASSERT_TRUE(store->Create("node-a", 60).ok());
  now_ += 60 + 24 * 3600 + 1;
  ASSERT_TRUE(store->Create("node-b", 60).ok());
  auto entries = store->entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].node, "node-b");
}

}  // namespace
}  // namespace microseg::pki
