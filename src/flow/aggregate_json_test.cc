#include "flow/aggregate_json.h"

#include <gtest/gtest.h>

#include "flow/flow_query.h"
#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

TEST(AggregateJsonTest, RoundTripsEnrichedAndFoldedAggregates) {
  Estate estate;
  // One entry: the second pair folds the first into a rollup.
  FlowAggregator agg({.max_entries = 1});
  agg.Add(estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", 5432)));
  agg.Add(estate.enricher.Enrich(Record("192.168.10.10", "203.0.113.7", 443)));
  agg.Add(estate.enricher.Enrich(Record("10.0.9.1", "10.0.2.1", 22, FlowVerdict::kWouldDeny)));
  std::vector<AggregatedFlow> flows = agg.Snapshot();
  ASSERT_GE(flows.size(), 2u);
  nlohmann::json items = nlohmann::json::array();
  for (const AggregatedFlow& f : flows) items.push_back(AggregatedFlowToJson(f));
  auto back = AggregatedFlowsFromJson(items);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), flows.size());
  for (size_t i = 0; i < flows.size(); ++i) {
    EXPECT_EQ(AggregatedFlowToJson((*back)[i]), items[i]) << i;
    EXPECT_TRUE((*back)[i].src->SameEndpoint(*flows[i].src)) << i;
    EXPECT_TRUE((*back)[i].dst->SameEndpoint(*flows[i].dst)) << i;
  }
}

TEST(AggregateJsonTest, ErrorsNameTheItem) {
  nlohmann::json items = nlohmann::json::array({{{"src", {{"name", "x"}}}}});
  auto back = AggregatedFlowsFromJson(items);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("flows[0]: src"), std::string::npos)
      << back.status().message();
}

}  // namespace
}  // namespace microseg
