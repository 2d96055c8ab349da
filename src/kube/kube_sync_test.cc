// KubeSync against FakeApiServer: the list+watch protocol end to end over
// real HTTP(S), with the faults a Kubernetes API server produces.
#include "kube/kube_sync.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "kube/fake_api_server_test_util.h"
#include "kube/kube_test_util.h"
#include "kube/recording_sink.h"
#include "kube/test_certs_test_util.h"

namespace microseg::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeApiServer;
using testing::MakeNamespace;
using testing::MakePod;

constexpr char kPods[] = "/api/v1/pods";
constexpr char kNamespaces[] = "/api/v1/namespaces";
constexpr auto kDeadline = 10s;

KubeSyncOptions FastOptions(std::vector<std::string> kinds) {
  KubeSyncOptions options;
  options.kinds = std::move(kinds);
  options.reflector.page_size = 2;
  options.reflector.watch_timeout = 30s;
  options.reflector.backoff = {10ms, 100ms};
  options.seed = 1;
  return options;
}

ClusterAccess AccessTo(const FakeApiServer& fake, const std::string& token = "secret-token") {
  ClusterAccess access;
  access.server = "http://127.0.0.1:" + std::to_string(fake.port());
  access.token = token;
  return access;
}

// Log lines of `sink` (after `from`) that start with `prefix` and name `kind`.
std::vector<std::string> LinesFor(const RecordingSink& sink, const std::string& kind,
                                  size_t from = 0) {
  std::vector<std::string> out;
  for (const std::string& line : sink.LogSince(from)) {
    if (line.find(" " + kind + " ") != std::string::npos) out.push_back(line);
  }
  return out;
}

bool Has(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

// Waits until the sink's log contains `line`.
bool WaitForLine(const RecordingSink& sink, const std::string& line) {
  return sink.WaitFor([&](const auto&, const auto& log) { return Has(log, line); }, kDeadline);
}

class KubeSyncTest : public ::testing::Test {
 protected:
  // Starts syncing pods and namespaces and waits for the first full list.
  void StartSync(const FakeApiServer& fake) {
    Result<std::unique_ptr<KubeSync>> started =
        KubeSync::Start(AccessTo(fake), &sink_, FastOptions({"Namespace", "Pod"}));
    ASSERT_TRUE(started.ok()) << started.status().message();
    sync_ = std::move(*started);
    ASSERT_TRUE(sink_.WaitFor(
        [](const auto&, const auto& log) {
          return std::any_of(log.begin(), log.end(),
                             [](const std::string& l) { return l.starts_with("resync Pod"); }) &&
                 std::any_of(log.begin(), log.end(), [](const std::string& l) {
                   return l.starts_with("resync Namespace");
                 });
        },
        kDeadline));
  }

  std::string PodJson(const std::string& ns, const std::string& name) {
    auto objects = sink_.Objects();
    auto it = objects.find(ObjectKey{"Pod", ns, name});
    return it == objects.end() ? "" : it->second;
  }

  RecordingSink sink_;
  std::unique_ptr<KubeSync> sync_;  // declared last: stopped first
};

TEST_F(KubeSyncTest, ListsInPagesAndForwardsSlimObjects) {
  FakeApiServer fake({});
  fake.Put(kNamespaces, MakeNamespace("shop"));
  for (int i = 1; i <= 5; ++i)
    fake.Put(kPods, MakePod("shop", "web-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  StartSync(fake);

  EXPECT_EQ(sink_.Objects().size(), 6u);
  EXPECT_TRUE(Has(sink_.Log(), "resync Pod 5"));
  std::vector<std::string> lists;
  for (const std::string& r : fake.Requests()) {
    if (r.starts_with("list /api/v1/pods")) lists.push_back(r);
  }
  // Five pods, two per page, one consistent snapshot at version 106.
  EXPECT_EQ(lists, (std::vector<std::string>{"list /api/v1/pods limit=2 continue=",
                                             "list /api/v1/pods limit=2 continue=106:2",
                                             "list /api/v1/pods limit=2 continue=106:4"}));
  EXPECT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=106", kDeadline));
  json pod = json::parse(PodJson("shop", "web-3"));
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["status"]["podIP"], "10.0.0.3");
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_FALSE(pod["status"].contains("conditions"));
}

TEST_F(KubeSyncTest, ExpiredContinueTokenRestartsTheList) {
  FakeApiServer fake({.expire_first_continue = true});
  for (int i = 1; i <= 5; ++i) {
    fake.Put(kPods, MakePod("shop", "web-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  }
  StartSync(fake);
  std::vector<std::string> lists;
  for (const std::string& r : fake.Requests()) {
    if (r.starts_with("list /api/v1/pods")) lists.push_back(r);
  }
  EXPECT_EQ(lists,
            (std::vector<std::string>{
                "list /api/v1/pods limit=2 continue=", "list /api/v1/pods limit=2 continue=105:2",
                "list /api/v1/pods limit=2 continue=", "list /api/v1/pods limit=2 continue=105:2",
                "list /api/v1/pods limit=2 continue=105:4"}));
  // The first page was offered twice but forwarded once.
  std::vector<std::string> log = sink_.Log();
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& l) { return l.starts_with("apply Pod"); }),
            5);
  EXPECT_TRUE(Has(sink_.Log(), "resync Pod 5"));
}

TEST_F(KubeSyncTest, PodReplacedWithNewIpFlowsThroughPromptly) {
  FakeApiServer fake({});
  fake.Put(kNamespaces, MakeNamespace("shop"));
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  StartSync(fake);
  size_t mark = sink_.Log().size();

  auto start = std::chrono::steady_clock::now();
  fake.Remove(kPods, "shop", "web-1");
  ASSERT_TRUE(WaitForLine(sink_, "delete Pod shop/web-1"));
  auto deleted = std::chrono::steady_clock::now();
  fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.9"));
  ASSERT_TRUE(WaitForLine(sink_, "apply Pod shop/web-2"));
  auto added = std::chrono::steady_clock::now();
  // No batching: each event is forwarded as soon as it is read. The bound
  // is loose for loaded CI machines; typical is ~1 ms.
  EXPECT_LT(deleted - start, 1s);
  EXPECT_LT(added - deleted, 1s);
  EXPECT_EQ(json::parse(PodJson("shop", "web-2"))["status"]["podIP"], "10.0.0.9");

  // Same name recreated with a new IP (a StatefulSet pod).
  fake.Remove(kPods, "shop", "web-2");
  fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.10"));
  ASSERT_TRUE(sink_.WaitFor(
      [](const auto& objects, const auto&) {
        auto it = objects.find(ObjectKey{"Pod", "shop", "web-2"});
        return it != objects.end() && it->second.find("10.0.0.10") != std::string::npos;
      },
      kDeadline));
  EXPECT_EQ(LinesFor(sink_, "Pod", mark),
            (std::vector<std::string>{"delete Pod shop/web-1", "apply Pod shop/web-2",
                                      "delete Pod shop/web-2", "apply Pod shop/web-2"}));
}

TEST_F(KubeSyncTest, StatusOnlyChangesAreNotForwarded) {
  FakeApiServer fake({});
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  StartSync(fake);
  size_t mark = sink_.Log().size();
  json heartbeat = MakePod("shop", "web-1", "10.0.0.1");
  heartbeat["status"]["conditions"][0]["lastProbeTime"] = "t1";
  fake.Put(kPods, heartbeat);
  fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.2"));  // same stream: a barrier
  ASSERT_TRUE(WaitForLine(sink_, "apply Pod shop/web-2"));
  EXPECT_EQ(LinesFor(sink_, "Pod", mark), (std::vector<std::string>{"apply Pod shop/web-2"}));
}

TEST_F(KubeSyncTest, BookmarkIsWhereTheNextWatchResumes) {
  FakeApiServer fake({});
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  StartSync(fake);
  ASSERT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=101", kDeadline));
  fake.Put(kNamespaces, MakeNamespace("other"));  // moves the version past the pods'
  int64_t bookmark = fake.Bookmark();
  fake.EndWatches();  // as timeoutSeconds would: a clean end, reopened at once
  EXPECT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=" + std::to_string(bookmark), kDeadline));
}

TEST_F(KubeSyncTest, DroppedConnectionResumesWithoutLossOrRepeat) {
  FakeApiServer fake({});
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  StartSync(fake);
  size_t mark = sink_.Log().size();
  int64_t v2 = fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.2"));
  ASSERT_TRUE(WaitForLine(sink_, "apply Pod shop/web-2"));
  fake.DropWatches();
  fake.Put(kPods, MakePod("shop", "web-3", "10.0.0.3"));  // while reconnecting
  ASSERT_TRUE(WaitForLine(sink_, "apply Pod shop/web-3"));
  EXPECT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=" + std::to_string(v2), kDeadline));
  EXPECT_EQ(LinesFor(sink_, "Pod", mark),
            (std::vector<std::string>{"apply Pod shop/web-2", "apply Pod shop/web-3"}));
  // Resumed from the version, not relisted.
  int lists = 0;
  for (const std::string& r : fake.Requests()) lists += r.starts_with("list /api/v1/pods");
  EXPECT_EQ(lists, 1);
}

// The gap: events the watch never delivered, then 410. The relist must
// report the deletion it did not see as an event.
void ExpectGapRecovered(FakeApiServer& fake, RecordingSink& sink, size_t mark) {
  ASSERT_TRUE(WaitForLine(sink, "delete Pod shop/web-2"));
  ASSERT_TRUE(WaitForLine(sink, "apply Pod shop/web-4"));
  EXPECT_EQ(LinesFor(sink, "Pod", mark),
            (std::vector<std::string>{"apply Pod shop/web-4", "delete Pod shop/web-2"}));
  auto objects = sink.Objects();
  EXPECT_FALSE(objects.contains(ObjectKey{"Pod", "shop", "web-2"}));
  EXPECT_TRUE(objects.contains(ObjectKey{"Pod", "shop", "web-1"}));
  EXPECT_TRUE(objects.contains(ObjectKey{"Pod", "shop", "web-3"}));
  int lists = 0;
  for (const std::string& r : fake.Requests()) lists += r == "list /api/v1/pods limit=2 continue=";
  EXPECT_EQ(lists, 2);
}

TEST_F(KubeSyncTest, ErrorEvent410RelistsAndDeletesWhatVanishedInTheGap) {
  FakeApiServer fake({});
  for (int i = 1; i <= 3; ++i)
    fake.Put(kPods, MakePod("shop", "web-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  StartSync(fake);
  ASSERT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=103", kDeadline));
  size_t mark = sink_.Log().size();
  fake.PauseWatches();
  fake.Remove(kPods, "shop", "web-2");
  fake.Put(kPods, MakePod("shop", "web-4", "10.0.0.4"));
  fake.Compact();
  fake.ResumeWatches();  // open watches now get an ERROR 410 event
  ExpectGapRecovered(fake, sink_, mark);
}

TEST_F(KubeSyncTest, Http410RelistsAndDeletesWhatVanishedInTheGap) {
  FakeApiServer fake({.http_410 = true});
  for (int i = 1; i <= 3; ++i)
    fake.Put(kPods, MakePod("shop", "web-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  StartSync(fake);
  ASSERT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=103", kDeadline));
  size_t mark = sink_.Log().size();
  fake.PauseWatches();
  fake.Remove(kPods, "shop", "web-2");
  fake.Put(kPods, MakePod("shop", "web-4", "10.0.0.4"));
  fake.Compact();
  fake.DropWatches();  // the reconnect, from version 103, gets HTTP 410
  fake.ResumeWatches();
  ExpectGapRecovered(fake, sink_, mark);
}

TEST_F(KubeSyncTest, SinkFailureIsRetriedByRelisting) {
  FakeApiServer fake({});
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  StartSync(fake);
  size_t mark = sink_.Log().size();
  sink_.FailWith("controller unavailable");
  fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.2"));
  // The refused event makes the reflector list again (and fail again).
  ASSERT_TRUE(fake.WaitForRequest("list /api/v1/pods limit=2 continue=", kDeadline, /*count=*/2));
  sink_.FailWith("");
  ASSERT_TRUE(WaitForLine(sink_, "apply Pod shop/web-2"));
  EXPECT_EQ(LinesFor(sink_, "Pod", mark), (std::vector<std::string>{"apply Pod shop/web-2"}));
}

TEST(KubeSync, WrongTokenIsRetriedAndTheTokenFileReread) {
  FakeApiServer fake({.token = "right"});
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));
  std::string token_file =
      std::filesystem::temp_directory_path() / ("kube-sync-token-" + std::to_string(getpid()));
  std::ofstream(token_file) << "wrong\n";
  ClusterAccess access = AccessTo(fake, "");
  access.token_file = token_file;
  std::vector<std::string> logs;
  std::mutex logs_mu;
  KubeSyncOptions options = FastOptions({"Pod"});
  options.log = [&](std::string_view line) {
    std::lock_guard lock(logs_mu);
    logs.emplace_back(line);
  };
  RecordingSink sink;
  Result<std::unique_ptr<KubeSync>> sync = KubeSync::Start(access, &sink, options);
  ASSERT_TRUE(sync.ok());
  ASSERT_TRUE(fake.WaitForRequest("denied /api/v1/pods", kDeadline));
  std::ofstream(token_file) << "right\n";
  EXPECT_TRUE(WaitForLine(sink, "apply Pod shop/web-1"));
  (*sync)->Stop();
  std::filesystem::remove(token_file);
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs[0],
            "Pod: list failed, retrying: GET /api/v1/pods?limit=2: HTTP 401: Unauthorized");
}

TEST(KubeSync, EveryKindIncludingPoliciesEndpointSlicesIgnored) {
  FakeApiServer fake({});
  fake.Put("/api/v1/namespaces", MakeNamespace("shop"));
  fake.Put("/api/v1/pods", MakePod("shop", "web-1", "10.0.0.1"));
  fake.Put("/api/v1/nodes",
           {{"metadata", {{"name", "node-1"}}},
            {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", "192.168.1.11"}}}}}}});
  fake.Put("/api/v1/services", {{"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                                {"spec",
                                 {{"selector", {{"app", "web"}}},
                                  {"ports", {{{"port", 80}}}},
                                  {"clusterIP", "10.96.0.10"}}}});
  fake.Put(
      "/apis/discovery.k8s.io/v1/endpointslices",
      {{"metadata", {{"name", "web-abc"}, {"namespace", "shop"}}}, {"endpoints", json::array()}});
  fake.Put("/apis/networking.k8s.io/v1/networkpolicies",
           {{"metadata", {{"name", "deny"}, {"namespace", "shop"}}},
            {"spec", {{"podSelector", json::object()}}}});
  fake.Put(
      "/apis/networking.k8s.io/v1/networkpolicies",  // invalid: skipped with a message
      {{"metadata", {{"name", "bad"}, {"namespace", "shop"}}},
       {"spec",
        {{"podSelector", json::object()}, {"ingress", {{{"ports", {{{"port", "eighty!"}}}}}}}}}});
  fake.Put("/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies",
           {{"metadata", {{"name", "anp"}}},
            {"spec",
             {{"priority", 10},
              {"subject", {{"namespaces", json::object()}}},
              {"ingress", json::array()}}}});
  int64_t last = fake.Put("/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies",
                          {{"metadata", {{"name", "default"}}},
                           {"spec", {{"subject", {{"namespaces", json::object()}}}}}});
  std::vector<std::string> logs;
  std::mutex logs_mu;
  KubeSyncOptions options = FastOptions({});
  options.log = [&](std::string_view line) {
    std::lock_guard lock(logs_mu);
    logs.emplace_back(line);
  };
  RecordingSink sink;
  Result<std::unique_ptr<KubeSync>> sync = KubeSync::Start(AccessTo(fake), &sink, options);
  ASSERT_TRUE(sync.ok());
  ASSERT_TRUE(sink.WaitFor(
      [](const auto&, const auto& log) {
        return std::count_if(log.begin(), log.end(),
                             [](const std::string& l) { return l.starts_with("resync "); }) == 7;
      },
      kDeadline))
      << ::testing::PrintToString(sink.Log()) << ::testing::PrintToString(logs);
  std::vector<std::string> keys;
  for (const auto& [key, text] : sink.Objects()) keys.push_back(key.ToString());
  EXPECT_EQ(keys,
            (std::vector<std::string>{
                "AdminNetworkPolicy anp", "BaselineAdminNetworkPolicy default", "Namespace shop",
                "NetworkPolicy shop/deny", "Node node-1", "Pod shop/web-1", "Service shop/web"}));
  EXPECT_EQ(
      json::parse(sink.Objects().at(ObjectKey{"AdminNetworkPolicy", "", "anp"}))["apiVersion"],
      "policy.networking.k8s.io/v1alpha1");
  EXPECT_TRUE(fake.WaitForRequest(
      "watch /apis/discovery.k8s.io/v1/endpointslices rv=" + std::to_string(last), kDeadline));
  (*sync)->Stop();
  bool logged = false;
  for (const std::string& line : logs)
    logged |= line.starts_with("NetworkPolicy: skipping invalid object: cluster");
  EXPECT_TRUE(logged);
}

TEST(KubeSync, StopsPromptlyWithWatchesOpen) {
  FakeApiServer fake({});
  RecordingSink sink;
  Result<std::unique_ptr<KubeSync>> sync =
      KubeSync::Start(AccessTo(fake), &sink, FastOptions({"Namespace", "Pod"}));
  ASSERT_TRUE(sync.ok());
  ASSERT_TRUE(fake.WaitForRequest("watch /api/v1/pods rv=100", kDeadline));
  ASSERT_TRUE(fake.WaitForRequest("watch /api/v1/namespaces rv=100", kDeadline));
  auto start = std::chrono::steady_clock::now();
  (*sync)->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(KubeSync, TlsWithClientCertificateFromKubeconfigData) {
  testing::KeyPair ca = testing::MakeCert("test-ca", nullptr, true, "");
  testing::KeyPair server =
      testing::MakeCert("apiserver", &ca, false, "IP:127.0.0.1,DNS:localhost");
  testing::KeyPair client = testing::MakeCert("kube-sync", &ca, false, "");
  X509_STORE* client_cas = X509_STORE_new();
  X509_STORE_add_cert(client_cas, ca.cert.get());
  // The server trusts only clients signed by the CA (it takes the store).
  auto ssl = std::make_unique<httplib::SSLServer>(server.cert.get(), server.key.get(), client_cas);
  ASSERT_TRUE(ssl->is_valid());
  FakeApiServer fake(std::move(ssl), {.token = "unused"});
  fake.SetToken("tls-token");
  fake.Put(kPods, MakePod("shop", "web-1", "10.0.0.1"));

  std::string kubeconfig =
      "current-context: c\n"
      "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
      "clusters: [{name: k, cluster: {server: \"https://127.0.0.1:" +
      std::to_string(fake.port()) +
      "\", certificate-authority-data: " + testing::Base64(testing::ToPem(ca.cert.get())) +
      "}}]\n"
      "users: [{name: u, user: {token: tls-token, client-certificate-data: " +
      testing::Base64(testing::ToPem(client.cert.get())) +
      ", client-key-data: " + testing::Base64(testing::ToPem(client.key.get())) + "}}]\n";
  Result<ClusterAccess> access = ParseKubeconfig(kubeconfig, "kubeconfig", "", "");
  ASSERT_TRUE(access.ok()) << access.status().message();
  RecordingSink sink;
  Result<std::unique_ptr<KubeSync>> sync = KubeSync::Start(*access, &sink, FastOptions({"Pod"}));
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  EXPECT_TRUE(WaitForLine(sink, "apply Pod shop/web-1"));
  fake.Put(kPods, MakePod("shop", "web-2", "10.0.0.2"));
  EXPECT_TRUE(WaitForLine(sink, "apply Pod shop/web-2"));
  (*sync)->Stop();

  // Without the client certificate the handshake fails: nothing arrives.
  ClusterAccess anonymous = *access;
  anonymous.client_cert_pem.clear();
  anonymous.client_key_pem.clear();
  RecordingSink none;
  Result<std::unique_ptr<KubeSync>> refused =
      KubeSync::Start(anonymous, &none, FastOptions({"Pod"}));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(
      none.WaitFor([](const auto& objects, const auto&) { return !objects.empty(); }, 300ms));
  (*refused)->Stop();
}

}  // namespace
}  // namespace microseg::kube
