// How apply and delete answer when the store's commit fails: 503 when
// nothing was stored, 504 when the store cannot say (and then repeating the
// request is safe).
#include <gtest/gtest.h>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/store/sqlite_store.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::TempDir;

// A SqliteStore whose commits fail with `failure` while it is set.
class FailingStore final : public Store {
 public:
  explicit FailingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  Result<CommitResult> Commit(const std::vector<Mutation>& mutations) override {
    if (!failure_.ok()) return failure_;
    return inner_->Commit(mutations);
  }
  Result<std::optional<StoredObject>> Get(const ObjectKey& key) override {
    return inner_->Get(key);
  }
  Result<Snapshot> List(const ListOptions& options) override { return inner_->List(options); }
  Result<std::unique_ptr<WatchStream>> Watch(int64_t after) override {
    return inner_->Watch(after);
  }
  std::string Describe() const override { return inner_->Describe(); }

  Status failure_;  // set before requests are made

 private:
  std::unique_ptr<Store> inner_;
};

TEST(ApplyStoreErrorsTest, NotStoredIs503AndUnknownIs504) {
  TempDir dir;
  auto sqlite = SqliteStore::Open(dir.path() + "/state.db");
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  auto owned = std::make_unique<FailingStore>(std::move(*sqlite));
  FailingStore* store = owned.get();
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  auto controller = Controller::Start(options, std::move(owned));
  ASSERT_TRUE(controller.ok()) << controller.status().message();
  ApiClient client((*controller)->url(), (*controller)->token());
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop, name: web}\n";

  store->failure_ = Status::Error("etcd /v3/kv/txn: no member reachable");
  auto refused = client.Send("POST", "/api/v1/apply", pod, "application/yaml");
  ASSERT_TRUE(refused.ok()) << refused.status().message();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->body,
            "{\"error\":\"etcd /v3/kv/txn: no member reachable (nothing was stored)\"}\n");

  store->failure_ =
      Status::Error(std::string(kCommitOutcomeUnknown) + "etcd /v3/kv/txn: read timeout");
  auto unknown = client.Send("POST", "/api/v1/apply", pod, "application/yaml");
  ASSERT_TRUE(unknown.ok()) << unknown.status().message();
  EXPECT_EQ(unknown->status, 504);
  EXPECT_EQ(unknown->body,
            "{\"error\":\"commit outcome unknown: etcd /v3/kv/txn: read timeout (it may or may "
            "not have been stored; repeating the request is safe)\"}\n");

  auto deleted = client.Send("DELETE", "/api/v1/objects/pod/web?namespace=shop");
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(deleted->status, 504);
  controller->reset();
}

}  // namespace
}  // namespace microseg
