// EtcdStore against a three-member cluster: losing a member loses nothing
// and writes go on; two stores on one cluster see the same state; a commit
// is never reported as not stored when it was; reads go to another member
// when one stops answering; Open waits for a leader.
#include "controller/testing/etcd_cluster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "controller/store/etcd_store.h"
#include "controller/testing/etcd_proxy.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::EtcdCluster;
using testing::EtcdProxy;
using testing::ScaledByLoad;
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

  std::unique_ptr<EtcdStore> Open(const std::string& spec = "",
                                  const EtcdStoreOptions& options = {}) {
    auto store = EtcdStore::Open(spec.empty() ? cluster_->Spec() : spec, "/microseg/", options);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Retries while the cluster elects a new leader (bounded).
  Result<CommitResult> CommitWithin(Store* store, const std::vector<Mutation>& m) {
    auto deadline = std::chrono::steady_clock::now() + ScaledByLoad(10s);
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
  auto deadline = std::chrono::steady_clock::now() + ScaledByLoad(10s);
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
  auto deadline = std::chrono::steady_clock::now() + ScaledByLoad(15s);
  while (keys.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*watch)->Next(200ms);
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    for (const auto& e : batch->events) keys.push_back(e.object.key);
  }
  EXPECT_EQ(keys, (std::vector<ObjectKey>{Key(1), Key(2)}));
}

std::string Port(int port) { return "127.0.0.1:" + std::to_string(port); }

// What a commit reported must match what is stored: a success is stored at
// its revision, a plain error is not stored at all; only an "outcome
// unknown" error may be either.
void ExpectOutcomeMatchesStore(Store* store, const ObjectKey& key, const std::string& json,
                               const Result<CommitResult>& outcome) {
  auto stored = store->Get(key);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  if (outcome.ok()) {
    ASSERT_TRUE(stored->has_value()) << key.ToString() << " reported stored, is not";
    EXPECT_EQ((*stored)->json, json);
    EXPECT_EQ((*stored)->resource_version, outcome->revision);
  } else if (!IsCommitOutcomeUnknown(outcome.status())) {
    EXPECT_FALSE(stored->has_value()) << key.ToString() << " reported not stored ("
                                      << outcome.status().message() << "), is stored";
  }
}

// The member applies the txn and its reply is lost (as when it dies after
// proposing): the commit is found to have applied, once.
TEST_F(EtcdClusterTest, ACommitWhoseReplyIsLostIsFoundToHaveApplied) {
  auto proxy = EtcdProxy::Start(cluster_->client_port(0));
  ASSERT_TRUE(proxy.ok()) << proxy.status().message();
  auto store = Open("etcd://" + Port((*proxy)->port()) + "," + Port(cluster_->client_port(1)) +
                    "," + Port(cluster_->client_port(2)));
  ASSERT_NE(store, nullptr);

  (*proxy)->LoseWriteReplies(1);
  auto put = store->Commit({{Mutation::Type::kPut, Key(1), "{\"v\":1}"}});
  EXPECT_EQ((*proxy)->lost(), 1);
  ASSERT_TRUE(put.ok()) << put.status().message();
  ExpectOutcomeMatchesStore(store.get(), Key(1), "{\"v\":1}", put);

  (*proxy)->LoseWriteReplies(1);
  store->gateway_for_test().set_preferred(0);  // through the proxy again
  auto del = store->Commit({{Mutation::Type::kDelete, Key(1), ""}});
  EXPECT_EQ((*proxy)->lost(), 2);
  ASSERT_TRUE(del.ok()) << del.status().message();
  EXPECT_FALSE(del->missing.has_value()) << "the lost delete was retried as a second delete";
  auto gone = store->Get(Key(1));
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_FALSE(gone->has_value());
}

// Commits go on while the member they go to stops answering (SIGSTOP: the
// txn it forwarded or proposed may still commit); every outcome reported
// matches what is stored.
TEST_F(EtcdClusterTest, StoppingTheMemberMidWriteNeverReportsAStoredObjectAsNotStored) {
  EtcdStoreOptions options;
  options.timeouts.call = ScaledByLoad(2s);
  auto store = Open("", options);
  ASSERT_NE(store, nullptr);
  constexpr int kCommits = 20;
  std::vector<std::optional<Result<CommitResult>>> outcomes(kCommits);
  std::mutex mu;
  std::condition_variable progressed;
  int done = 0;
  std::thread writer([&] {
    for (int i = 0; i < kCommits; ++i) {
      auto r = store->Commit({{Mutation::Type::kPut, Key(i), "{\"i\":" + std::to_string(i) + "}"}});
      std::lock_guard<std::mutex> lock(mu);
      outcomes[static_cast<size_t>(i)] = std::move(r);
      ++done;
      progressed.notify_all();
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    progressed.wait_for(lock, ScaledByLoad(20s), [&] { return done >= 5; });
  }
  cluster_->Pause(0);  // the member the store talks to, while it writes
  writer.join();
  cluster_->Resume(0);
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(outcomes[static_cast<size_t>(i)].has_value());
    ExpectOutcomeMatchesStore(store.get(), Key(i), "{\"i\":" + std::to_string(i) + "}",
                              *outcomes[static_cast<size_t>(i)]);
  }
}

// A member that takes connections and answers nothing (stopped) does not
// fail reads: they go to the next member.
TEST_F(EtcdClusterTest, ReadsFailOverWhenAMemberStopsAnswering) {
  EtcdStoreOptions options;
  options.timeouts.call = ScaledByLoad(500ms);
  options.timeouts.retry_for = ScaledByLoad(20s);
  auto store = Open("", options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit({{Mutation::Type::kPut, Key(1), "{}"}}).ok());
  store->gateway_for_test().set_preferred(0);
  cluster_->Pause(0);
  auto got = store->Get(Key(1));
  auto list = store->List({"Pod", std::nullopt});
  cluster_->Resume(0);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(got->has_value());
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->objects.size(), 1u);
}

// A controller starting with its cluster: one member up, no leader until
// the others come.
TEST(EtcdStartTest, OpenWaitsWhileTheClusterHasNoLeader) {
  if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed";
  TempDir dir;
  auto cluster = EtcdCluster::Start(3, dir.path(), /*running=*/1);
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  Status launched;
  std::thread others([&] {
    std::this_thread::sleep_for(ScaledByLoad(1500ms));  // let Open find no leader first
    launched = (*cluster)->Launch(1);
    if (launched.ok()) launched = (*cluster)->Launch(2);
  });
  EtcdStoreOptions options;
  options.timeouts.call = ScaledByLoad(1s);
  options.open_wait = 60s;  // Open scales it by load
  auto store = EtcdStore::Open((*cluster)->Spec(), "/microseg/", options);
  others.join();
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto r = (*store)->Commit({{Mutation::Type::kPut, Key(1), "{}"}});
  EXPECT_TRUE(r.ok()) << r.status().message();
}

}  // namespace
}  // namespace microseg
