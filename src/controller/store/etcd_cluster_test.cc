// EtcdStore against a three-member cluster: losing a member loses nothing
// and writes go on; two stores on one cluster see the same state.
#include "controller/testing/etcd_cluster.h"

#include <gtest/gtest.h>

#include "controller/store/etcd_store.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::EtcdCluster;
using testing::TempDir;
using namespace std::chrono_literals;

class EtcdClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed";
    auto started = EtcdCluster::Start(3, dir_.path());
    ASSERT_TRUE(started.ok()) << started.status().message();
    cluster_ = std::move(*started);
  }
  void TearDown() override { cluster_.reset(); }  // before dir_ goes

  std::unique_ptr<EtcdStore> Open() {
    auto store = EtcdStore::Open(cluster_->Spec());
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Retries while the cluster elects a new leader (bounded).
  Result<CommitResult> CommitWithin(Store* store, const std::vector<Mutation>& m) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (true) {
      auto result = store->Commit(m);
      if (result.ok() || std::chrono::steady_clock::now() > deadline) return result;
      std::this_thread::sleep_for(50ms);
    }
  }

  TempDir dir_;
  std::unique_ptr<EtcdCluster> cluster_;
};

ObjectKey Key(int i) { return {"Pod", "shop", "p" + std::to_string(i)}; }

TEST_F(EtcdClusterTest, KillingOneMemberLosesNothingAndWritesContinue) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 20; ++i) {
    auto r = store->Commit({{Mutation::Type::kPut, Key(i), "{\"i\":" + std::to_string(i) + "}"}});
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // The store talks to member 0 first: kill it, so failover is exercised.
  cluster_->Kill(0);
  for (int i = 20; i < 40; ++i) {
    auto r = CommitWithin(store.get(), {{Mutation::Type::kPut, Key(i), "{}"}});
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  auto list = store->List({"Pod", std::nullopt});
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->objects.size(), 40u);
  auto first = store->Get(Key(0));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->json, "{\"i\":0}");
}

TEST_F(EtcdClusterTest, TwoStoresOnOneClusterServeTheSameState) {
  auto a = Open();
  auto b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto start = b->List({});
  ASSERT_TRUE(start.ok());
  auto watch = b->Watch(start->revision);
  ASSERT_TRUE(watch.ok());

  auto r = a->Commit({{Mutation::Type::kPut, Key(1), "{\"from\":\"a\"}"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto seen = b->Get(Key(1));
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ((*seen)->resource_version, r->revision);

  std::vector<WatchEvent> events;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (events.empty() && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*watch)->Next(200ms);
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    events = std::move(batch->events);
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].object.key, Key(1));
  EXPECT_EQ(events[0].object.resource_version, r->revision);
}

TEST_F(EtcdClusterTest, AWatchSurvivesTheLossOfItsMember) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto watch = store->Watch(0);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(store->Commit({{Mutation::Type::kPut, Key(1), "{}"}}).ok());
  cluster_->Kill(0);
  auto r = CommitWithin(store.get(), {{Mutation::Type::kPut, Key(2), "{}"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<ObjectKey> keys;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  while (keys.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*watch)->Next(200ms);
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    for (const auto& e : batch->events) keys.push_back(e.object.key);
  }
  EXPECT_EQ(keys, (std::vector<ObjectKey>{Key(1), Key(2)}));
}

}  // namespace
}  // namespace microseg
