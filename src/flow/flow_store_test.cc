#include "flow/flow_store.h"

#include <gtest/gtest.h>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Record;

TEST(FlowStoreTest, KeepsAtMostMaxRecordsNewestFirstOut) {
  FlowStore store({.max_records = 3, .max_age_seconds = 3600});
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
  FlowStore store({.max_records = 10, .max_age_seconds = 100});
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

}  // namespace
}  // namespace microseg
