#include "flow/flow_query.h"

#include <gtest/gtest.h>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

class FlowQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FlowAggregator agg;
    agg.Add(estate_.enricher.Enrich(
        Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 1, 1, 100)));
    agg.Add(estate_.enricher.Enrich(
        Record("10.0.1.2", "10.0.2.1", 5432, FlowVerdict::kAllow, 1, 1, 200)));
    agg.Add(estate_.enricher.Enrich(
        Record("10.0.9.1", "10.0.2.1", 5432, FlowVerdict::kDeny, 1, 1, 300)));
    agg.Add(estate_.enricher.Enrich(
        Record("192.168.10.10", "203.0.113.7", 443, FlowVerdict::kAllow, 1, 1, 400)));
    flows_ = agg.Snapshot();
  }
  std::vector<std::string> Run(const char* from, const char* to,
                               std::optional<FlowVerdict> verdict = std::nullopt,
                               std::optional<int64_t> since = std::nullopt) {
    FlowQuery q;
    if (from) q.from = *EndpointSelector::Parse(from);
    if (to) q.to = *EndpointSelector::Parse(to);
    q.verdict = verdict;
    q.since = since;
    std::vector<std::string> out;
    for (const AggregatedFlow& f : QueryFlows(flows_, q)) {
      out.push_back(f.src->DisplayName() + ">" + f.dst->DisplayName());
    }
    return out;
  }
  Estate estate_;
  std::vector<AggregatedFlow> flows_;
};

using V = std::vector<std::string>;

TEST_F(FlowQueryTest, Selectors) {
  EXPECT_EQ(Run("shop/web-1", nullptr), V{"shop/web-1>shop/db-1"});
  EXPECT_EQ(Run("pod/shop/web-1", nullptr), V{"shop/web-1>shop/db-1"});
  EXPECT_EQ(Run("shop/*", nullptr), (V{"shop/web-1>shop/db-1", "shop/web-2>shop/db-1"}));
  EXPECT_EQ(Run("app=web", "app=db"), (V{"shop/web-1>shop/db-1", "shop/web-2>shop/db-1"}));
  EXPECT_EQ(Run("!app", nullptr), V{"ops/job-1>shop/db-1"});
  EXPECT_EQ(Run("team=ops,!app", nullptr), V{"ops/job-1>shop/db-1"});
  EXPECT_EQ(Run("10.0.1.0/24", nullptr), (V{"shop/web-1>shop/db-1", "shop/web-2>shop/db-1"}));
  EXPECT_EQ(Run("workload/billing", "203.0.113.0/24"), V{"workload/billing>203.0.113.7"});
  EXPECT_EQ(Run(nullptr, "203.0.113.7"), V{"workload/billing>203.0.113.7"});
}

TEST_F(FlowQueryTest, VerdictAndSince) {
  EXPECT_EQ(Run(nullptr, nullptr, FlowVerdict::kDeny), V{"ops/job-1>shop/db-1"});
  EXPECT_EQ(Run(nullptr, "app=db", std::nullopt, 250), V{"ops/job-1>shop/db-1"});
}

TEST_F(FlowQueryTest, BadSelectors) {
  EXPECT_EQ(EndpointSelector::Parse("a/b/c").status().message(),
            "invalid selector \"a/b/c\": expected ns/pod, ns/*, workload/NAME, node/NAME, a label "
            "selector (app=web) or a CIDR");
  EXPECT_FALSE(EndpointSelector::Parse("").ok());
  EXPECT_FALSE(EndpointSelector::Parse("app=we b").ok());
}

TEST_F(FlowQueryTest, Json) {
  nlohmann::json j = AggregatedFlowToJson(flows_.front());
  EXPECT_EQ(j["src"]["name"], "ops/job-1");
  EXPECT_EQ(j["src"]["labels"]["team"], "ops");
  EXPECT_EQ(j["verdict"], "deny");
  EXPECT_EQ(j["model"], "deny");
  EXPECT_EQ(j["first"], "1970-01-01T00:05:00Z");
}

}  // namespace
}  // namespace microseg
