// The Store suite: every implementation must pass the same tests. Each
// harness opens a fresh, empty store; EtcdStore runs against a one-member
// cluster started for the suite (skipped when `etcd` is not installed).
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "controller/store/base64.h"
#include "controller/store/etcd_gateway.h"
#include "controller/store/etcd_store.h"
#include "controller/store/sqlite_store.h"
#include "controller/testing/etcd_cluster.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::EtcdCluster;
using testing::TempDir;
using namespace std::chrono_literals;

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // A fresh, empty store; a second call opens the same one again.
  virtual std::unique_ptr<Store> Open() = 0;
  // Drops the watch history before `revision` (the current one); may
  // reopen *store.
  virtual void Compact(std::unique_ptr<Store>* store, int64_t revision) = 0;
};

class SqliteHarness : public StoreHarness {
 public:
  std::unique_ptr<Store> Open() override {
    SqliteStoreOptions options;
    options.event_retention = retention_;
    auto store = SqliteStore::Open(dir_.path() + "/state.db", options);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // SQLite compacts by retention: reopen keeping one revision, commit.
  void Compact(std::unique_ptr<Store>* store, int64_t) override {
    store->reset();
    retention_ = 1;
    *store = Open();
    ASSERT_TRUE((*store)->Commit({{Mutation::Type::kPut, {"Pod", "x", "scratch"}, "{}"}}).ok());
  }

 private:
  int64_t retention_ = 100000;
  TempDir dir_;
};

// One cluster for the whole suite; each test uses its own key prefix.
// Members die (destructor order) before their directory is removed.
struct SharedEtcd {
  SharedEtcd() {
    auto started = EtcdCluster::Start(1, dir.path());
    EXPECT_TRUE(started.ok()) << started.status().message();
    if (started.ok()) cluster = std::move(*started);
  }
  TempDir dir;
  std::unique_ptr<EtcdCluster> cluster;
};

EtcdCluster* SharedCluster() {
  static SharedEtcd shared;
  return shared.cluster.get();
}

class EtcdHarness : public StoreHarness {
 public:
  EtcdHarness() {
    static int counter = 0;
    prefix_ = "/test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "/";
  }
  std::unique_ptr<Store> Open() override {
    auto store = EtcdStore::Open(SharedCluster()->Spec(), prefix_);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }
  void Compact(std::unique_ptr<Store>*, int64_t revision) override {
    auto endpoints = ParseEtcdEndpoints(SharedCluster()->Spec());
    ASSERT_TRUE(endpoints.ok());
    EtcdGateway gateway(*endpoints, EtcdTimeouts{});
    EtcdFailure failure;
    auto reply =
        gateway.Write("/v3/kv/compaction", {{"revision", std::to_string(revision)}}, &failure);
    ASSERT_TRUE(reply.ok()) << reply.status().message();
  }

 private:
  std::string prefix_;
};

struct HarnessFactory {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
  bool needs_etcd;
};

class StoreTest : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override {
    if (GetParam().needs_etcd) {
      if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed";
      ASSERT_NE(SharedCluster(), nullptr);
    }
    harness_ = GetParam().make();
    store_ = harness_->Open();
    ASSERT_NE(store_, nullptr);
  }

  ObjectKey Pod(const std::string& name) { return {"Pod", "shop", name}; }
  std::string PodJson(const std::string& name, const std::string& app) {
    return R"({"kind":"Pod","metadata":{"name":")" + name +
           R"(","namespace":"shop","labels":{"app":")" + app + R"("}}})";
  }
  int64_t Put(const ObjectKey& key, const std::string& json) {
    auto result = store_->Commit({{Mutation::Type::kPut, key, json}});
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result.ok() ? result->revision : -1;
  }
  // Reads batches until `count` events arrived or 10 s passed.
  std::vector<WatchEvent> ReadEvents(WatchStream* stream, size_t count) {
    std::vector<WatchEvent> events;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto batch = stream->Next(200ms);
      EXPECT_TRUE(batch.ok()) << batch.status().message();
      if (!batch.ok()) break;
      for (auto& e : batch->events) events.push_back(std::move(e));
    }
    return events;
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, PutThenGetReturnsTheDocumentAtItsRevision) {
  int64_t rev = Put(Pod("web"), PodJson("web", "a"));
  ASSERT_GT(rev, 0);
  auto got = store_->Get(Pod("web"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->json, PodJson("web", "a"));
  EXPECT_EQ((*got)->resource_version, rev);
  EXPECT_EQ((*got)->key, Pod("web"));
}

TEST_P(StoreTest, GetOfAMissingKeyIsEmptyNotAnError) {
  auto got = store_->Get(Pod("nope"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_FALSE(got->has_value());
}

TEST_P(StoreTest, RevisionsGrowWithEveryCommit) {
  int64_t r1 = Put(Pod("a"), PodJson("a", "x"));
  int64_t r2 = Put(Pod("a"), PodJson("a", "y"));
  int64_t r3 = Put(Pod("b"), PodJson("b", "y"));
  EXPECT_LT(r1, r2);
  EXPECT_LT(r2, r3);
  auto empty = store_->Commit({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->revision, r3);  // nothing written, current revision
}

TEST_P(StoreTest, ListFiltersByKindAndNamespaceAndSortsByKey) {
  Put({"Pod", "shop", "b"}, "{}");
  Put({"Pod", "shop", "a"}, "{}");
  Put({"Pod", "shop-x", "a"}, "{}");
  Put({"Pod", "ops", "z"}, "{}");
  int64_t last = Put({"Namespace", "", "shop"}, "{}");

  auto all = store_->List({});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->revision, last);
  std::vector<ObjectKey> keys;
  for (const auto& o : all->objects) keys.push_back(o.key);
  std::vector<ObjectKey> expected = {{"Namespace", "", "shop"},
                                     {"Pod", "ops", "z"},
                                     {"Pod", "shop", "a"},
                                     {"Pod", "shop", "b"},
                                     {"Pod", "shop-x", "a"}};
  EXPECT_EQ(keys, expected);

  auto shop = store_->List({"Pod", std::string("shop")});
  ASSERT_TRUE(shop.ok());
  ASSERT_EQ(shop->objects.size(), 2u);
  EXPECT_EQ(shop->objects[0].key.name, "a");

  auto any_kind_in_ops = store_->List({"", std::string("ops")});
  ASSERT_TRUE(any_kind_in_ops.ok());
  ASSERT_EQ(any_kind_in_ops->objects.size(), 1u);
  EXPECT_EQ(any_kind_in_ops->objects[0].key.name, "z");
}

TEST_P(StoreTest, CommitIsAllOrNothing) {
  int64_t rev = Put(Pod("a"), PodJson("a", "x"));
  auto result = store_->Commit({{Mutation::Type::kPut, Pod("b"), PodJson("b", "x")},
                                {Mutation::Type::kPut, Pod("a"), PodJson("a", "changed")},
                                {Mutation::Type::kDelete, Pod("missing"), ""}});
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_TRUE(result->missing.has_value());
  EXPECT_EQ(*result->missing, Pod("missing"));
  auto b = store_->Get(Pod("b"));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
  auto a = store_->Get(Pod("a"));
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->json, PodJson("a", "x"));
  EXPECT_EQ((*a)->resource_version, rev);
}

TEST_P(StoreTest, SeveralObjectsInOneCommitShareItsRevision) {
  auto result = store_->Commit(
      {{Mutation::Type::kPut, Pod("a"), "{}"}, {Mutation::Type::kPut, Pod("b"), "{}"}});
  ASSERT_TRUE(result.ok()) << result.status().message();
  auto list = store_->List({"Pod", std::nullopt});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->objects.size(), 2u);
  for (const auto& o : list->objects) EXPECT_EQ(o.resource_version, result->revision);
}

TEST_P(StoreTest, DeleteRemovesTheObject) {
  Put(Pod("a"), "{}");
  auto result = store_->Commit({{Mutation::Type::kDelete, Pod("a"), ""}});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(result->missing.has_value());
  auto a = store_->Get(Pod("a"));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->has_value());
}

TEST_P(StoreTest, WatchReplaysHistoryAfterARevision) {
  int64_t r1 = Put(Pod("a"), PodJson("a", "1"));
  int64_t r2 = Put(Pod("a"), PodJson("a", "2"));
  int64_t r3 = Put(Pod("b"), PodJson("b", "1"));
  auto r4 = store_->Commit({{Mutation::Type::kDelete, Pod("a"), ""}});
  ASSERT_TRUE(r4.ok());

  auto stream = store_->Watch(r1);
  ASSERT_TRUE(stream.ok()) << stream.status().message();
  auto events = ReadEvents(stream->get(), 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, EventType::kModified);
  EXPECT_EQ(events[0].object.resource_version, r2);
  EXPECT_EQ(events[0].object.json, PodJson("a", "2"));
  EXPECT_EQ(events[1].type, EventType::kAdded);
  EXPECT_EQ(events[1].object.key, Pod("b"));
  EXPECT_EQ(events[1].object.resource_version, r3);
  EXPECT_EQ(events[2].type, EventType::kDeleted);
  EXPECT_EQ(events[2].object.key, Pod("a"));
  EXPECT_EQ(events[2].object.resource_version, r4->revision);
  EXPECT_EQ(events[2].object.json, PodJson("a", "2"));  // the last state
}

TEST_P(StoreTest, WatchDeliversNewCommits) {
  auto list = store_->List({});
  ASSERT_TRUE(list.ok());
  auto stream = store_->Watch(list->revision);
  ASSERT_TRUE(stream.ok());
  auto none = (*stream)->Next(0ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
  std::thread writer([&] { Put(Pod("late"), "{}"); });
  auto events = ReadEvents(stream->get(), 1);
  writer.join();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kAdded);
  EXPECT_EQ(events[0].object.key, Pod("late"));
}

TEST_P(StoreTest, WatchFromACompactedRevisionSaysSo) {
  int64_t r1 = Put(Pod("a"), "{}");
  int64_t last = r1;
  for (int i = 0; i < 3; ++i) last = Put(Pod("a"), "{\"n\":" + std::to_string(i) + "}");
  harness_->Compact(&store_, last);
  auto stream = store_->Watch(r1);
  ASSERT_TRUE(stream.ok());
  std::optional<int64_t> compacted;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!compacted && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*stream)->Next(200ms);
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    compacted = batch->compacted;
  }
  ASSERT_TRUE(compacted.has_value());
  EXPECT_GE(*compacted, r1);
}

TEST_P(StoreTest, AReopenedStoreHasTheSameState) {
  int64_t rev = Put(Pod("a"), PodJson("a", "x"));
  store_.reset();
  auto again = harness_->Open();
  ASSERT_NE(again, nullptr);
  auto got = again->Get(Pod("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->resource_version, rev);
  EXPECT_EQ(again->Commit({})->revision, rev);
}

INSTANTIATE_TEST_SUITE_P(
    AllStores, StoreTest,
    ::testing::Values(HarnessFactory{"Sqlite", [] { return std::make_unique<SqliteHarness>(); },
                                     false},
                      HarnessFactory{"Etcd", [] { return std::make_unique<EtcdHarness>(); }, true}),
    [](const ::testing::TestParamInfo<HarnessFactory>& p) { return p.param.name; });

TEST(Base64Test, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_EQ(Base64Encode("/microseg/"), "L21pY3Jvc2VnLw==");
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab=c").has_value());
}

TEST(EtcdEndpointsTest, ParsesAndRejects) {
  auto ok = ParseEtcdEndpoints("etcd://127.0.0.1:2379,10.0.0.2:22379");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].host, "10.0.0.2");
  EXPECT_EQ((*ok)[1].port, 22379);
  EXPECT_EQ(ParseEtcdEndpoints("etcd://host").status().message(),
            "etcd endpoint host: expected HOST:PORT");
  EXPECT_EQ(ParseEtcdEndpoints("etcd://h:99999").status().message(),
            "etcd endpoint h:99999: invalid port");
}

}  // namespace
}  // namespace microseg
