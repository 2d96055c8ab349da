#include "flow/flow_aggregator.h"

#include <gtest/gtest.h>

#include <random>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

TEST(FlowAggregatorTest, SumsPerEndpointPairPortAndVerdict) {
  Estate estate;
  FlowAggregator agg;
  agg.Add(estate.enricher.Enrich(
      Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 2, 200, 1000)));
  agg.Add(estate.enricher.Enrich(
      Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 3, 300, 900)));
  agg.Add(estate.enricher.Enrich(
      Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kDeny, 1, 60, 1000)));
  agg.Add(estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", 80, FlowVerdict::kAllow)));
  agg.Add(estate.enricher.Enrich(Record("10.0.1.2", "10.0.2.1", 5432, FlowVerdict::kAllow)));
  std::vector<AggregatedFlow> flows = agg.Snapshot();
  ASSERT_EQ(flows.size(), 4u);
  // Sorted: web-1 before web-2; port 80 before 5432; allow before deny.
  EXPECT_EQ(flows[0].src->DisplayName(), "shop/web-1");
  EXPECT_EQ(flows[0].port, 80);
  const AggregatedFlow& merged = flows[1];
  EXPECT_EQ(merged.port, 5432);
  EXPECT_EQ(merged.verdict, FlowVerdict::kAllow);
  EXPECT_EQ(merged.flows, 2u);
  EXPECT_EQ(merged.packets, 5u);
  EXPECT_EQ(merged.bytes, 500u);
  EXPECT_EQ(merged.first, 900);
  EXPECT_EQ(merged.last, 1001);
  EXPECT_EQ(flows[2].verdict, FlowVerdict::kDeny);
  EXPECT_EQ(flows[3].src->DisplayName(), "shop/web-2");
  EXPECT_EQ(agg.folded(), 0u);
  EXPECT_EQ(SumFlows(flows), agg.totals());
}

// Conntrack reports a connection twice: when it starts (flows 1, no
// counters yet) and when it ends (flows 0, its packets and bytes). Merged,
// the connection counts once and its counters once, in whichever order and
// in whichever batch the two arrive.
TEST(FlowAggregatorTest, StartedAndEndedObservationsCountAConnectionOnce) {
  Estate estate;
  FlowAggregator agg;
  FlowRecord started = Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 0, 0, 1000);
  started.last = 1000;
  FlowRecord ended = Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 12, 3400, 1000);
  ended.flows = 0;
  ended.last = 1130;
  agg.Add(estate.enricher.Enrich(FlowRecord(started)));
  std::vector<AggregatedFlow> early = agg.Snapshot();
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].flows, 1u) << "reported at start, before it ends";
  EXPECT_EQ(early[0].bytes, 0u);
  agg.Add(estate.enricher.Enrich(FlowRecord(ended)));
  std::vector<AggregatedFlow> flows = agg.Snapshot();
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].flows, 1u);
  EXPECT_EQ(flows[0].packets, 12u);
  EXPECT_EQ(flows[0].bytes, 3400u);
  EXPECT_EQ(flows[0].first, 1000);
  EXPECT_EQ(flows[0].last, 1130);
  EXPECT_EQ(agg.totals().flows, 1u);
  EXPECT_EQ(SumFlows(flows), agg.totals());

  // The end alone (its start fell in another window): an aggregate with
  // counters and no connection, kept and dated.
  FlowAggregator only_end({.max_entries = 1, .max_rollups = 1, .rollup_label = "app"});
  only_end.Add(estate.enricher.Enrich(FlowRecord(ended)));
  ended.dst = *IpAddress::Parse("203.0.113.9");  // folds the first into a rollup
  only_end.Add(estate.enricher.Enrich(FlowRecord(ended)));
  ended.dst = *IpAddress::Parse("203.0.113.10");  // the second, past the rollups: `other`
  only_end.Add(estate.enricher.Enrich(FlowRecord(ended)));
  std::vector<AggregatedFlow> ends = only_end.Snapshot();
  ASSERT_EQ(ends.size(), 3u);
  for (const AggregatedFlow& f : ends) {
    EXPECT_EQ(f.flows, 0u);
    EXPECT_EQ(f.bytes, 3400u);
    EXPECT_EQ(f.first, 1000);
    EXPECT_EQ(f.last, 1130);
  }
  EXPECT_EQ(SumFlows(ends), only_end.totals());
}

TEST(FlowAggregatorTest, FoldsLeastRecentlySeenIntoAppRollups) {
  Estate estate;
  FlowAggregator agg({.max_entries = 2, .max_rollups = 10, .rollup_label = "app"});
  agg.Add(estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", 5432)));  // oldest
  agg.Add(estate.enricher.Enrich(Record("10.0.1.2", "10.0.2.1", 5432)));
  agg.Add(estate.enricher.Enrich(Record("10.0.1.2", "10.0.2.1", 5432)));  // touch
  agg.Add(estate.enricher.Enrich(Record("10.0.9.1", "10.0.2.1", 5432)));  // evicts web-1's
  std::vector<AggregatedFlow> flows = agg.Snapshot();
  ASSERT_EQ(flows.size(), 3u);
  EXPECT_EQ(agg.folded(), 1u);
  std::vector<std::string> names;
  for (const AggregatedFlow& f : flows)
    names.push_back(f.src->DisplayName() + ">" + f.dst->DisplayName());
  EXPECT_EQ(names, (std::vector<std::string>{"ops/job-1>shop/db-1", "shop/web-2>shop/db-1",
                                             "~shop/app=web>~shop/app=db"}));
  EXPECT_FALSE(flows[2].detailed());
  EXPECT_EQ(flows[2].port, 5432);
  // The rollup keeps what grouping needs.
  EXPECT_EQ(flows[2].src->namespace_name, "shop");
  EXPECT_EQ(*flows[2].src->labels.Get("app"), "web");
  EXPECT_EQ(SumFlows(flows), agg.totals());
}

// The contract that matters under pressure: folding never loses a count.
TEST(FlowAggregatorTest, TotalsExactUnderOverflow) {
  Estate estate;
  for (size_t max_entries : {1u, 7u, 64u}) {
    FlowAggregator agg({.max_entries = max_entries, .max_rollups = 3, .rollup_label = "app"});
    std::mt19937 rng(42);
    const char* ips[] = {"10.0.1.1",      "10.0.1.2",      "10.0.2.1",    "10.0.9.1",
                         "192.168.10.10", "192.168.30.10", "203.0.113.7", "198.51.100.1"};
    FlowTotals expected;
    for (int i = 0; i < 20000; ++i) {
      FlowRecord r = Record(ips[rng() % 8], ips[rng() % 8], static_cast<uint16_t>(1 + rng() % 50),
                            kAllFlowVerdicts[rng() % 3], rng() % 100, rng() % 100000, i);
      AggregatedFlow one;
      one.flows = 1;
      one.packets = r.packets;
      one.bytes = r.bytes;
      one.verdict = r.verdict;
      expected.Add(one);
      agg.Add(estate.enricher.Enrich(std::move(r)));
    }
    std::vector<AggregatedFlow> flows = agg.Snapshot();
    EXPECT_EQ(agg.totals(), expected) << max_entries;
    EXPECT_EQ(SumFlows(flows), expected) << max_entries;
    EXPECT_LE(flows.size(), max_entries + 3 + kFlowVerdictCount) << max_entries;
    EXPECT_GT(agg.folded(), 0u);
  }
}

TEST(FlowAggregatorTest, MergesAggregatesFromElsewhere) {
  Estate estate;
  FlowAggregator a({.max_entries = 1, .max_rollups = 1, .rollup_label = "app"});
  for (int i = 0; i < 10; ++i) {
    a.Add(estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", static_cast<uint16_t>(100 + i))));
  }
  FlowAggregator b;
  for (const AggregatedFlow& f : a.Snapshot()) b.Add(f);
  EXPECT_EQ(b.totals(), a.totals());
  EXPECT_EQ(SumFlows(b.Snapshot()), a.totals());
}

}  // namespace
}  // namespace microseg
