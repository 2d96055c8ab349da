// Two controllers on one etcd cluster serve the same state, and a watch on
// one sees applies made through the other.
#include <gtest/gtest.h>

#include <thread>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/etcd_cluster.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::EtcdCluster;
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

}  // namespace
}  // namespace microseg
