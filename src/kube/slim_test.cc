#include "kube/slim.h"

#include <gtest/gtest.h>

#include "ingest/manifest_loader.h"
#include "kube/kube_test_util.h"

namespace microseg::kube {
namespace {

using nlohmann::json;
using testing::ReadText;
using testing::TestData;

TEST(Slim, PodKeepsOnlyWhatTheDecoderReads) {
  json pod = json::parse(ReadText(TestData("pod.json")));
  json want = json::parse(ReadText(TestData("pod.slim.json")));
  json slim = Slim(*FindResource("Pod"), pod);
  EXPECT_EQ(slim, want) << slim.dump(2);
}

TEST(Slim, DecodesToTheSamePodAsTheFullObject) {
  std::string full = ReadText(TestData("pod.json"));
  std::string slim = Slim(*FindResource("Pod"), json::parse(full)).dump();
  Result<LoadedManifests> a = ParseManifests(full, "full");
  Result<LoadedManifests> b = ParseManifests(slim, "slim");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->objects.pods.size(), 1u);
  ASSERT_EQ(b->objects.pods.size(), 1u);
  const Pod& x = a->objects.pods[0];
  const Pod& y = b->objects.pods[0];
  EXPECT_EQ(x.uid, y.uid);
  EXPECT_EQ(x.created, "2024-05-01T10:00:03Z");
  EXPECT_EQ(x.created, y.created) << "the owner of a shared IP depends on it";
  EXPECT_EQ(x.node_name, y.node_name);
  EXPECT_EQ(x.phase, y.phase);
  EXPECT_EQ(x.ips, y.ips);
  EXPECT_EQ(x.ports.size(), y.ports.size());
  EXPECT_TRUE(x.labels == y.labels);
}

TEST(Slim, StatusHeartbeatsCompareEqual) {
  json a = json::parse(ReadText(TestData("pod.json")));
  json b = a;
  b["status"]["conditions"][0]["lastTransitionTime"] = "2024-05-01T11:00:00Z";
  b["metadata"]["resourceVersion"] = "48999";
  b["metadata"]["managedFields"][0]["manager"] = "kube-controller-manager";
  const Resource& pods = *FindResource("Pod");
  EXPECT_EQ(Slim(pods, a).dump(), Slim(pods, b).dump());
  b["status"]["podIP"] = "10.244.1.8";
  EXPECT_NE(Slim(pods, a).dump(), Slim(pods, b).dump());
}

TEST(Slim, NodeKeepsAddressesOnly) {
  json node = {
      {"metadata", {{"name", "n1"}, {"labels", {{"zone", "a"}}}, {"resourceVersion", "9"}}},
      {"spec", {{"podCIDR", "10.244.1.0/24"}}},
      {"status",
       {{"addresses", {{{"type", "InternalIP"}, {"address", "192.168.1.11"}}}},
        {"conditions", {{{"type", "Ready"}, {"lastHeartbeatTime", "t"}}}}}}};
  json want = {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata", {{"name", "n1"}, {"labels", {{"zone", "a"}}}}},
      {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", "192.168.1.11"}}}}}}};
  EXPECT_EQ(Slim(*FindResource("Node"), node), want);
}

TEST(Slim, PoliciesKeepSpecWhole) {
  json policy = {{"metadata", {{"name", "p"}, {"namespace", "shop"}, {"generation", 3}}},
                 {"spec", {{"podSelector", json::object()}, {"policyTypes", {"Ingress"}}}}};
  json slim = Slim(*FindResource("NetworkPolicy"), policy);
  EXPECT_EQ(slim["apiVersion"], "networking.k8s.io/v1");
  EXPECT_EQ(slim["spec"], policy["spec"]);
  EXPECT_FALSE(slim["metadata"].contains("generation"));
}

}  // namespace
}  // namespace microseg::kube
