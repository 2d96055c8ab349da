// Security end to end, in process on loopback: HTTPS with the controller's
// CA, join tokens, enrollment, mutual TLS and what an agent's certificate
// allows (docs/CONTROLLER.md, "Security").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>

#include "controller/client/agent_enrollment.h"
#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/pki/certificate_authority.h"
#include "controller/pki/csr.h"
#include "controller/pki/join_tokens.h"
#include "controller/pki/key.h"
#include "controller/pki/pem.h"
#include "controller/pki/secure_file.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::TempDir;

constexpr char kPolicy[] = R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
  "metadata": {"name": "deny", "namespace": "default"},
  "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})";

std::string ErrorOf(const ApiReply& reply) {
  Json body = Json::parse(reply.body, nullptr, false);
  return body.is_object() ? body.value("error", std::string("<no error field>")) : reply.body;
}

std::string HostWorkload(const std::string& name, const std::string& host) {
  return Json{{"apiVersion", "microseg.io/v1alpha1"},
              {"kind", "Workload"},
              {"metadata", {{"name", name}}},
              {"spec", {{"host", host}, {"ips", {"10.0.0.5"}}}}}
      .dump();
}

std::string FlowLine(const std::string& node) {
  return Json{{"first", "2026-01-01T00:00:00Z"},
              {"node", node},
              {"src", "10.0.0.1"},
              {"dst", "10.0.0.2"},
              {"protocol", "TCP"},
              {"port", 80},
              {"verdict", "allow"}}
             .dump() +
         "\n";
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_.path();
    options.tls = true;
    auto started = Controller::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    controller_ = std::move(*started);
    admin_ = std::make_unique<ApiClient>(controller_->url(), controller_->token(),
                                         ClientTls{controller_->ca_file(), "", ""});
  }

  void Restart() {
    controller_.reset();
    Start();
  }

  std::string CreateToken(const std::string& node) {
    auto reply = admin_->Send("POST", "/api/v1/join-tokens",
                              Json{{"node", node}, {"ttlSeconds", 600}}.dump());
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    if (!reply.ok()) return "";
    EXPECT_EQ(reply->status, 200) << reply->body;
    Json body = Json::parse(reply->body, nullptr, false);
    EXPECT_EQ(body.value("caSha256", ""), controller_->ca_fingerprint());
    return body.value("token", "");
  }

  EnrollOptions Enrollment(const std::string& node, const std::string& token,
                           const std::string& state_dir) {
    EnrollOptions e;
    e.server = controller_->url();
    e.node = node;
    e.state_dir = state_dir;
    e.join_token = token;
    e.ca_sha256 = controller_->ca_fingerprint();
    return e;
  }

  // An enrolled agent's client for `node`.
  std::unique_ptr<ApiClient> Agent(const std::string& node) {
    auto dir = std::make_unique<TempDir>();
    auto tls = EnrollAgent(Enrollment(node, CreateToken(node), dir->path()));
    EXPECT_TRUE(tls.ok()) << tls.status().message();
    auto client = std::make_unique<ApiClient>(controller_->url(), "", tls.ok() ? *tls : ClientTls{});
    agent_dirs_.push_back(std::move(dir));
    return client;
  }

  static ApiReply Send(const ApiClient& client, const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::string& type = "application/json") {
    auto reply = client.Send(method, path, body, type);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    return reply.ok() ? *reply : ApiReply{};
  }

  TempDir data_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ApiClient> admin_;
  std::vector<std::unique_ptr<TempDir>> agent_dirs_;
};

TEST_F(SecurityTest, ServesHttpsWithItsOwnCa) {
  EXPECT_EQ(controller_->url().rfind("https://127.0.0.1:", 0), 0u) << controller_->url();
  EXPECT_TRUE(pki::FileExists(data_.path() + "/ca.key"));
  struct stat st;
  ASSERT_EQ(stat((data_.path() + "/ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto listed = admin_->List("", std::nullopt);
  EXPECT_TRUE(listed.ok()) << listed.status().message();

  // Without the CA, the server is not trusted, and the message says why.
  ApiClient untrusting(controller_->url(), controller_->token());
  auto refused = untrusting.List("", std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--ca-file"), std::string::npos)
      << refused.status().message();
  // Another CA does not vouch for it either.
  auto other = pki::CertificateAuthority::Create("other");
  ASSERT_TRUE(other.ok());
  TempDir scratch;
  ASSERT_TRUE(pki::WriteFileAtomic(scratch.path() + "/other.crt", other->cert_pem(), 0644).ok());
  ApiClient misled(controller_->url(), controller_->token(),
                   ClientTls{scratch.path() + "/other.crt", "", ""});
  EXPECT_FALSE(misled.List("", std::nullopt).ok());

  // Credentials are still required over TLS.
  ApiClient anonymous(controller_->url(), "", ClientTls{controller_->ca_file(), "", ""});
  ApiReply reply = Send(anonymous, "GET", "/api/v1/objects");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(ErrorOf(reply),
            "missing Authorization: Bearer token (or an agent's client certificate)");
}

TEST_F(SecurityTest, EnrollsWithAValidTokenOnce) {
  TempDir state;
  const std::string token = CreateToken("node-a");
  auto tls = EnrollAgent(Enrollment("node-a", token, state.path()));
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  EXPECT_TRUE(HasAgentCredentials(state.path()));
  struct stat st;
  ASSERT_EQ(stat(tls->key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ApiClient agent(controller_->url(), "", *tls);
  auto span = agent.Span("node-a");
  ASSERT_TRUE(span.ok()) << span.status().message();
  EXPECT_EQ((*span)["metadata"]["node"], "node-a");

  // Reused: 401, and nothing is written.
  TempDir again;
  auto reused = EnrollAgent(Enrollment("node-a", token, again.path()));
  ASSERT_FALSE(reused.ok());
  EXPECT_NE(reused.status().message().find("join token already used"), std::string::npos)
      << reused.status().message();
  EXPECT_FALSE(pki::FileExists(again.path() + "/node.crt"));
  EXPECT_FALSE(pki::FileExists(again.path() + "/node.key"));
}

TEST_F(SecurityTest, BadTokensAndRequestsIssueNothing) {
  ApiClient anonymous(controller_->url(), "", ClientTls{controller_->ca_file(), "", ""});
  auto key = pki::GenerateKey();
  ASSERT_TRUE(key.ok());
  auto csr = pki::MakeCsrPem(key->get(), "node-a");
  ASSERT_TRUE(csr.ok());

  ApiReply invalid = Send(anonymous, "POST", "/api/v1/agents/enroll",
                          Json{{"token", std::string(64, 'f')}, {"csr", *csr}}.dump());
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(ErrorOf(invalid), "invalid join token; nothing was issued");
  EXPECT_EQ(invalid.body.find("certificate"), std::string::npos);

  // A malformed CSR is a 400 and does not use the token up.
  const std::string token = CreateToken("node-a");
  ApiReply bad_csr = Send(anonymous, "POST", "/api/v1/agents/enroll",
                          Json{{"token", token}, {"csr", "not a csr"}}.dump());
  EXPECT_EQ(bad_csr.status, 400);
  EXPECT_NE(ErrorOf(bad_csr).find("csr: not a PEM certificate request"), std::string::npos)
      << ErrorOf(bad_csr);
  for (const char* body : {"", "[]", "{\"token\": 5}", "{\"token\": \"x\"}"}) {
    EXPECT_EQ(Send(anonymous, "POST", "/api/v1/agents/enroll", body).status, 400) << body;
  }
  ApiReply ok = Send(anonymous, "POST", "/api/v1/agents/enroll",
                     Json{{"token", token}, {"csr", *csr}}.dump());
  EXPECT_EQ(ok.status, 200) << ok.body;

  // Only an admin makes tokens; bounded lifetimes.
  EXPECT_EQ(Send(anonymous, "POST", "/api/v1/join-tokens", R"({"node": "x"})").status, 401);
  EXPECT_EQ(Send(*admin_, "POST", "/api/v1/join-tokens", R"({"node": "x", "ttlSeconds": 0})")
                .status,
            400);
  EXPECT_EQ(Send(*admin_, "POST", "/api/v1/join-tokens", R"({"node": "Not/A/Name"})").status,
            400);
}

TEST_F(SecurityTest, AnExpiredTokenIsRefused) {
  // A token that expired while the controller was down.
  controller_.reset();
  const std::string token(64, 'e');
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  Json file{{"tokens",
             {{{"sha256", pki::HashJoinToken(token)}, {"node", "node-a"}, {"expires", now - 5}}}}};
  ASSERT_TRUE(pki::WriteFileAtomic(data_.path() + "/join-tokens.json", file.dump(), 0600).ok());
  Start();
  TempDir state;
  auto expired = EnrollAgent(Enrollment("node-a", token, state.path()));
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("join token expired"), std::string::npos)
      << expired.status().message();
  EXPECT_FALSE(pki::FileExists(state.path() + "/node.crt"));
}

TEST_F(SecurityTest, TheCaIsPinnedBeforeTheTokenIsSent) {
  TempDir state;
  EnrollOptions e = Enrollment("node-a", CreateToken("node-a"), state.path());
  e.ca_sha256 = std::string(64, '0');
  auto refused = EnrollAgent(e);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not trusting it"), std::string::npos)
      << refused.status().message();
  // The token was not sent, so it still works, here with --ca-file.
  e.ca_sha256.clear();
  e.ca_file = controller_->ca_file();
  auto enrolled = EnrollAgent(e);
  EXPECT_TRUE(enrolled.ok()) << enrolled.status().message();
  // A token is for one node.
  TempDir other;
  auto mismatch = EnrollAgent(Enrollment("node-b", CreateToken("node-c"), other.path()));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("made for node \"node-c\""), std::string::npos)
      << mismatch.status().message();
  EXPECT_FALSE(pki::FileExists(other.path() + "/node.crt"));
}

TEST_F(SecurityTest, AnAgentMayTouchOnlyItsOwnSlice) {
  ASSERT_TRUE(admin_->Apply({{"policy.json", kPolicy}}).ok());
  auto agent = Agent("node-a");

  EXPECT_EQ(Send(*agent, "GET", "/api/v1/span?node=node-a").status, 200);
  ApiReply other_span = Send(*agent, "GET", "/api/v1/span?node=node-b");
  EXPECT_EQ(other_span.status, 403);
  EXPECT_EQ(ErrorOf(other_span),
            "forbidden: the agent certificate of node \"node-a\" may not GET /api/v1/span: an "
            "agent may read only its own span (node=node-a), not node=\"node-b\"");
  EXPECT_EQ(Send(*agent, "GET", "/api/v1/span").status, 403);
  EXPECT_EQ(Send(*agent, "GET", "/api/v1/watch?node=node-b").status, 403);

  // Status and flows: its own only.
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/agents/node-a/status", R"({"syncs": 1})").status, 200);
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/agents/node-b/status", R"({"syncs": 1})").status, 403);
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/flows", FlowLine("node-a"), "application/x-ndjson")
                .status,
            200);
  ApiReply forged = Send(*agent, "POST", "/api/v1/flows", FlowLine("node-a") + FlowLine("node-b"),
                         "application/x-ndjson");
  EXPECT_EQ(forged.status, 403);
  EXPECT_NE(ErrorOf(forged).find("line 2: every flow record an agent posts must have node"),
            std::string::npos)
      << ErrorOf(forged);

  // Its host Workload, and nothing else.
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/apply", HostWorkload("node-a", "node-a")).status, 200);
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/apply", HostWorkload("node-b", "node-b")).status, 403);
  EXPECT_EQ(Send(*agent, "POST", "/api/v1/apply", HostWorkload("node-a", "node-b")).status, 403);
  ApiReply policy = Send(*agent, "POST", "/api/v1/apply", kPolicy);
  EXPECT_EQ(policy.status, 403);
  EXPECT_NE(ErrorOf(policy).find("only its own host Workload"), std::string::npos)
      << ErrorOf(policy);

  // Everything else is the admin's.
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/objects"},
           {"GET", "/api/v1/objects/networkpolicies/deny"},
           {"DELETE", "/api/v1/objects/networkpolicies/deny"},
           {"POST", "/api/v1/delete"},
           {"GET", "/api/v1/agents"},
           {"GET", "/api/v1/flows"},
           {"GET", "/api/v1/join-tokens"},
           {"POST", "/api/v1/join-tokens"}}) {
    ApiReply reply = Send(*agent, method, path, "{}");
    EXPECT_EQ(reply.status, 403) << method << " " << path << ": " << reply.body;
    EXPECT_NE(ErrorOf(reply).find("an agent may only read its own span"), std::string::npos)
        << ErrorOf(reply);
  }
  // Nothing changed: the policy is still there.
  EXPECT_TRUE(admin_->Get("networkpolicies", "deny", "default").ok());
}

TEST_F(SecurityTest, AnAgentsWatchSaysOnlyThatSomethingChanged) {
  auto agent = Agent("node-a");
  ASSERT_TRUE(admin_->Apply({{"policy.json", kPolicy}}).ok());
  std::vector<Json> events;
  ApiClient::WatchOptions options;
  options.read_timeout = std::chrono::seconds(20);
  Status s = agent->Watch(
      "resourceVersion=0",
      [&](const Json& event) {
        events.push_back(event);
        return false;
      },
      options);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"],
            (Json{{"metadata", {{"resourceVersion", events[0]["object"]["metadata"]["resourceVersion"]}}}}));
  EXPECT_TRUE(events[0]["object"]["metadata"]["resourceVersion"].is_string());
}

TEST_F(SecurityTest, CertificatesOfAnotherCaAreRejected) {
  auto other = pki::CertificateAuthority::Create("impostor CA");
  ASSERT_TRUE(other.ok());
  auto key = pki::GenerateKey();
  ASSERT_TRUE(key.ok());
  auto cert = other->IssueAgent(key->get(), "node-a", 30);
  ASSERT_TRUE(cert.ok());
  TempDir dir;
  ASSERT_TRUE(pki::WriteFileAtomic(dir.path() + "/node.key", *pki::KeyToPem(key->get()), 0600).ok());
  ASSERT_TRUE(
      pki::WriteFileAtomic(dir.path() + "/node.crt", *pki::CertToPem(cert->get()), 0644).ok());
  ApiClient impostor(controller_->url(), "",
                     ClientTls{controller_->ca_file(), dir.path() + "/node.crt",
                               dir.path() + "/node.key"});
  auto reply = impostor.Send("GET", "/api/v1/span?node=node-a");
  EXPECT_TRUE(!reply.ok() || reply->status != 200)
      << (reply.ok() ? reply->body : reply.status().message());
}

TEST_F(SecurityTest, TheAdminTokenKeepsFullAccessWithACertificate) {
  auto agent = Agent("node-a");
  ApiClient both(controller_->url(), controller_->token(), agent->tls());
  EXPECT_TRUE(both.List("", std::nullopt).ok());
  ApiClient wrong(controller_->url(), "not-the-token", agent->tls());
  auto reply = wrong.Send("GET", "/api/v1/span?node=node-a");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 401);
}

TEST_F(SecurityTest, ARestartKeepsTheCaAndIssuedCertificates) {
  auto agent = Agent("node-a");
  const std::string fingerprint = controller_->ca_fingerprint();
  const std::string pending = CreateToken("node-b");
  Restart();
  EXPECT_EQ(controller_->ca_fingerprint(), fingerprint);
  ApiClient moved(controller_->url(), "", agent->tls());  // a new port
  auto span = moved.Span("node-a");
  EXPECT_TRUE(span.ok()) << span.status().message();
  // A token made before the restart still enrolls.
  TempDir state;
  EXPECT_TRUE(EnrollAgent(Enrollment("node-b", pending, state.path())).ok());
}

TEST(InsecureHttpTest, NoEnrollmentWithoutTls) {
  TempDir data;
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data.path();
  auto controller = Controller::Start(options);
  ASSERT_TRUE(controller.ok()) << controller.status().message();
  EXPECT_EQ((*controller)->url().rfind("http://", 0), 0u);
  EXPECT_EQ((*controller)->ca_file(), "");
  ApiClient admin((*controller)->url(), (*controller)->token());
  auto reply = admin.Send("POST", "/api/v1/join-tokens", R"({"node": "node-a"})");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
  EXPECT_FALSE(pki::FileExists(data.path() + "/ca.key"));
}

}  // namespace
}  // namespace microseg
