#include "flow/flow_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Record;

TEST(FlowStoreTest, KeepsAtMostMaxRecordsNewestFirstOut) {
  FlowStore store({.max_records = 3, .max_age_seconds = 3600, .path = ""});
  store.Add({Record("10.0.1.1", "10.0.2.1", 1), Record("10.0.1.1", "10.0.2.1", 2)}, 1000);
  store.Add({Record("10.0.1.1", "10.0.2.1", 3), Record("10.0.1.1", "10.0.2.1", 4)}, 1000);
  auto records = store.Records(1000);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().port, 2);
  EXPECT_EQ(records.back().port, 4);
  EXPECT_EQ(store.stats().received, 4u);
  EXPECT_EQ(store.stats().evicted, 1u);
  // A batch larger than the store keeps its newest part.
  std::vector<FlowRecord> big;
  for (uint16_t p = 10; p < 20; ++p) big.push_back(Record("10.0.1.1", "10.0.2.1", p));
  store.Add(big, 1000);
  records = store.Records(1000);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().port, 17);
}

TEST(FlowStoreTest, DropsRecordsOlderThanMaxAge) {
  FlowStore store({.max_records = 10, .max_age_seconds = 100, .path = ""});
  // Record(): last = first + 1.
  store.Add({Record("10.0.1.1", "10.0.2.1", 1, FlowVerdict::kAllow, 1, 1, 1000),
             Record("10.0.1.1", "10.0.2.1", 2, FlowVerdict::kAllow, 1, 1, 500),
             Record("10.0.1.1", "10.0.2.1", 3, FlowVerdict::kAllow, 1, 1, 1050)},
            1000);
  auto records = store.Records(1100);  // cutoff 1000
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].port, 1);
  EXPECT_EQ(records[1].port, 3);
  EXPECT_TRUE(store.Records(1200).empty());
  EXPECT_EQ(store.stats().records, 0u);
}

// A fresh directory, removed with the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "flowstore-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(FlowStoreTest, PersistedRecordsSurviveAReopen) {
  TempDir dir;
  FlowStoreOptions options{.max_records = 100, .max_age_seconds = 3600, .path = dir.File("flows.db")};
  FlowRecord counted = Record("10.0.1.1", "2001:db8::2", 5432, FlowVerdict::kWouldDeny, 7, 900, 1000,
                              Protocol::kUDP);
  counted.flows = 0;
  counted.node = "n2";
  {
    FlowStore store(options);
    ASSERT_TRUE(store.Open(1000).ok());
    ASSERT_TRUE(store.Add({Record("10.0.1.1", "10.0.2.1", 80), counted}, 1000).ok());
    ASSERT_TRUE(store.Add({Record("10.0.1.2", "10.0.2.1", 443)}, 1000).ok());
  }
  FlowStore again(options);
  Status s = again.Open(1000);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(again.stats().loaded, 3u);
  auto records = again.Records(1000);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].port, 80);
  const FlowRecord& r = records[1];
  EXPECT_EQ(r.src.ToString(), "10.0.1.1");
  EXPECT_EQ(r.dst.ToString(), "2001:db8::2");
  EXPECT_EQ(r.protocol, Protocol::kUDP);
  EXPECT_EQ(r.port, 5432);
  EXPECT_EQ(r.verdict, FlowVerdict::kWouldDeny);
  EXPECT_EQ(r.flows, 0u);
  EXPECT_EQ(r.packets, 7u);
  EXPECT_EQ(r.bytes, 900u);
  EXPECT_EQ(r.first, 1000);
  EXPECT_EQ(r.last, 1001);
  EXPECT_EQ(r.node, "n2");
  EXPECT_EQ(records[2].port, 443);
  // New records go after the loaded ones, and persist too.
  ASSERT_TRUE(again.Add({Record("10.0.1.3", "10.0.2.1", 8080)}, 1000).ok());
  FlowStore third(options);
  ASSERT_TRUE(third.Open(1000).ok());
  records = third.Records(1000);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records.back().port, 8080);
}

TEST(FlowStoreTest, RetentionAppliesToTheFile) {
  TempDir dir;
  FlowStoreOptions options{.max_records = 3, .max_age_seconds = 100, .path = dir.File("flows.db")};
  {
    FlowStore store(options);
    ASSERT_TRUE(store.Open(1000).ok());
    // Record(): last = first + 1. Port 1 is old; ports 2..5 recent, and
    // only the newest 3 fit.
    ASSERT_TRUE(store.Add({Record("10.0.1.1", "10.0.2.1", 1, FlowVerdict::kAllow, 1, 1, 800)}, 1000).ok());
    for (uint16_t port = 2; port <= 5; ++port) {
      ASSERT_TRUE(store.Add({Record("10.0.1.1", "10.0.2.1", port, FlowVerdict::kAllow, 1, 1, 1000)}, 1000).ok());
    }
    EXPECT_EQ(store.Records(1000).size(), 3u);
  }
  {
    FlowStore store(options);
    ASSERT_TRUE(store.Open(1000).ok());
    auto records = store.Records(1000);
    ASSERT_EQ(records.size(), 3u) << "size: the newest 3";
    EXPECT_EQ(records.front().port, 3);
  }
  {
    // Reopened later: past the age limit, nothing is loaded, and the file
    // is emptied.
    FlowStore store(options);
    ASSERT_TRUE(store.Open(1200).ok());
    EXPECT_EQ(store.stats().loaded, 0u);
    EXPECT_TRUE(store.Records(1200).empty());
  }
  FlowStore store(options);
  ASSERT_TRUE(store.Open(1000).ok());
  EXPECT_EQ(store.stats().loaded, 0u) << "deleted from the file, not only skipped";
}

TEST(FlowStoreTest, AnUnwritablePathIsAnError) {
  FlowStore store({.max_records = 10, .max_age_seconds = 100, .path = "/nonexistent-dir/flows.db"});
  Status s = store.Open(1000);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir/flows.db"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace microseg
