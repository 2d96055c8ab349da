// Two controllers on one etcd cluster serve the same state, and a watch on
// one sees applies made through the other. An apply whose txn applied but
// whose reply etcd lost is answered as stored, and repeating it is a no-op.
#include <gtest/gtest.h>

#include <thread>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/etcd_cluster.h"
#include "controller/testing/etcd_proxy.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::EtcdCluster;
using testing::EtcdProxy;
using testing::TempDir;

TEST(EtcdControllersTest, TwoControllersServeTheSameState) {
  if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed";
  TempDir etcd_dir, dir_a, dir_b;
  auto cluster = EtcdCluster::Start(3, etcd_dir.path());
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();

  auto start = [&](const TempDir& dir) {
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir.path();
    options.store = (*cluster)->Spec();
    auto controller = Controller::Start(options);
    EXPECT_TRUE(controller.ok()) << controller.status().message();
    return controller.ok() ? std::move(*controller) : nullptr;
  };
  auto a = start(dir_a);
  auto b = start(dir_b);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ApiClient client_a(a->url(), a->token());
  ApiClient client_b(b->url(), b->token());

  auto list = client_b.List("", std::nullopt);
  ASSERT_TRUE(list.ok()) << list.status().message();
  std::string from = (*list)["metadata"]["resourceVersion"];
  std::vector<Json> events;
  std::thread watcher([&] {
    Status s = client_b.Watch("resourceVersion=" + from, [&](const Json& e) {
      events.push_back(e);
      return false;
    });
    EXPECT_TRUE(s.ok()) << s.message();
  });

  auto applied = client_a.Apply(
      {{"pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: web}\n"}});
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  watcher.join();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["resourceVersion"], (*applied)["resourceVersion"]);

  auto got = client_b.Get("pod", "web", "shop");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["metadata"]["resourceVersion"], (*applied)["resourceVersion"]);

  // Kill a member; both controllers still serve and accept writes.
  (*cluster)->Kill(0);
  bool deleted = false;
  for (int attempt = 0; attempt < 100 && !deleted; ++attempt) {
    deleted = client_b.Delete("pod", "web", "shop").ok();
    if (!deleted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(deleted);
  auto gone = client_a.Get("pod", "web", "shop");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().message(), "Pod shop/web not found");
  a.reset();
  b.reset();
}

TEST(EtcdControllersTest, AnApplyWhoseTxnReplyIsLostIsAnsweredAsStored) {
  if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed";
  TempDir etcd_dir, dir;
  auto cluster = EtcdCluster::Start(3, etcd_dir.path());
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  // Member 0, which the controller's store talks to first, behind a proxy
  // that loses the reply to the txn after etcd applied it.
  auto proxy = EtcdProxy::Start((*cluster)->client_port(0));
  ASSERT_TRUE(proxy.ok()) << proxy.status().message();
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  options.store = "etcd://127.0.0.1:" + std::to_string((*proxy)->port()) +
                  ",127.0.0.1:" + std::to_string((*cluster)->client_port(1)) +
                  ",127.0.0.1:" + std::to_string((*cluster)->client_port(2));
  auto controller = Controller::Start(options);
  ASSERT_TRUE(controller.ok()) << controller.status().message();
  ApiClient client((*controller)->url(), (*controller)->token());
  const std::vector<ManifestSource> pod = {
      {"pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: web}\n"}};

  (*proxy)->LoseWriteReplies(1);
  auto applied = client.Apply(pod);
  EXPECT_EQ((*proxy)->lost(), 1);
  auto got = client.Get("pod", "web", "shop");
  ASSERT_TRUE(got.ok()) << got.status().message();          // it is stored...
  ASSERT_TRUE(applied.ok()) << applied.status().message();  // ...so it must say so
  EXPECT_EQ((*applied)["objects"][0]["result"], "created");
  EXPECT_EQ((*got)["metadata"]["resourceVersion"], (*applied)["resourceVersion"]);

  auto again = client.Apply(pod);  // what a client that got no answer does
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)["objects"][0]["result"], "unchanged");
  controller->reset();
}

}  // namespace
}  // namespace microseg
