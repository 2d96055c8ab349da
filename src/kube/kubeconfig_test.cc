#include "kube/kubeconfig.h"

#include <gtest/gtest.h>

#include "kube/kube_test_util.h"

namespace microseg::kube {
namespace {

using testing::TestData;

TEST(LoadKubeconfig, CurrentContextWithRelativeFiles) {
  Result<ClusterAccess> access = LoadKubeconfig(TestData("kubeconfig.yaml"), "");
  ASSERT_TRUE(access.ok()) << access.status().message();
  EXPECT_EQ(access->server, "https://10.0.0.1:6443");
  EXPECT_EQ(access->token_file, TestData("creds/token"));
  EXPECT_NE(access->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_FALSE(access->insecure_skip_tls_verify);
  EXPECT_EQ(access->token, "");
}

TEST(LoadKubeconfig, NamedContextWithInlineToken) {
  Result<ClusterAccess> access = LoadKubeconfig(TestData("kubeconfig.yaml"), "prod");
  ASSERT_TRUE(access.ok()) << access.status().message();
  EXPECT_EQ(access->server, "https://prod.example.com/k8s/clusters/c-1");
  EXPECT_TRUE(access->insecure_skip_tls_verify);
  EXPECT_EQ(access->token, "inline-token");
  EXPECT_EQ(access->ca_pem, "");
}

TEST(LoadKubeconfig, Errors) {
  std::string path = TestData("kubeconfig.yaml");
  struct Case {
    const char* context;
    std::string message;
  } cases[] = {
      {"staging", path + ": context \"staging\" not found"},
      {"lost", path + ": cluster \"nowhere\" not found"},
      {"sso",
       path + ": user \"sso-user\": exec and auth-provider credentials are not supported; use a "
              "token, tokenFile or client certificate"},
  };
  for (const Case& c : cases) {
    Result<ClusterAccess> access = LoadKubeconfig(path, c.context);
    ASSERT_FALSE(access.ok()) << c.context;
    EXPECT_EQ(access.status().message(), c.message);
  }
  EXPECT_EQ(LoadKubeconfig("/nonexistent/config", "").status().message(),
            "/nonexistent/config: cannot read file");
}

TEST(ParseKubeconfig, InlineCertificateData) {
  std::string text = R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://[::1]:6443", certificate-authority-data: Q0EtUEVN}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}]
)";
  Result<ClusterAccess> access = ParseKubeconfig(text, "inline", "/tmp", "");
  ASSERT_TRUE(access.ok()) << access.status().message();
  EXPECT_EQ(access->ca_pem, "CA-PEM");
  EXPECT_EQ(access->client_cert_pem, "CERT");
  EXPECT_EQ(access->client_key_pem, "KEY");
}

TEST(ParseKubeconfig, MessagesNameTheEntry) {
  struct Case {
    const char* description;
    const char* text;
    const char* message;
  } cases[] = {
      {"no current context", "clusters: []", "cfg: no current-context; name one with --context"},
      {"not a mapping", "- a", "cfg: not a kubeconfig (expected a mapping)"},
      {"bad YAML", "a: [", "cfg: invalid YAML: line 1: end of sequence flow not found"},
      {"no server", R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {}}])",
       "cfg: cluster \"k\": server is missing"},
      {"bad base64", R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "@@"}}])",
       "cfg: cluster \"k\": certificate-authority-data: invalid base64"},
      {"cert without key", R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x"}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==}}])",
       "cfg: user \"u\": a client certificate needs both certificate and key"},
  };
  for (const Case& c : cases) {
    Result<ClusterAccess> access = ParseKubeconfig(c.text, "cfg", "", "");
    ASSERT_FALSE(access.ok()) << c.description;
    EXPECT_EQ(access.status().message(), c.message) << c.description;
  }
}

TEST(DecodeBase64, PaddingAndWhitespace) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*DecodeBase64("aGVs\nbG8"), "hello");
  EXPECT_EQ(*DecodeBase64("aGVsbG8h"), "hello!");
  EXPECT_FALSE(DecodeBase64("a").ok());
  EXPECT_FALSE(DecodeBase64("aGVsbG8=x").ok());
}

}  // namespace
}  // namespace microseg::kube
