#include "flow/dependency_map.h"

#include <gtest/gtest.h>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

std::vector<AggregatedFlow> Observed(Estate& estate) {
  FlowAggregator agg;
  agg.Add(
      estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", 5432, FlowVerdict::kAllow, 2, 200)));
  agg.Add(
      estate.enricher.Enrich(Record("10.0.1.2", "10.0.2.1", 5432, FlowVerdict::kAllow, 3, 300)));
  agg.Add(estate.enricher.Enrich(Record("10.0.9.1", "10.0.2.1", 5432, FlowVerdict::kDeny, 1, 60)));
  agg.Add(
      estate.enricher.Enrich(Record("10.0.1.1", "192.168.10.10", 8443, FlowVerdict::kWouldDeny)));
  agg.Add(estate.enricher.Enrich(Record("192.168.10.10", "203.0.113.7", 443)));
  return agg.Snapshot();
}

TEST(DependencyMapTest, GroupsByAppLabel) {
  Estate estate;
  DependencyMap map = BuildDependencyMap(Observed(estate), GroupBy());
  nlohmann::json j = DependencyMapToJson(map);
  std::vector<std::string> ids;
  for (const auto& n : j["nodes"]) ids.push_back(n["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"203.0.113.7", "ns:ops", "shop/app=db", "shop/app=web",
                                           "workload:app=billing"}));
  EXPECT_EQ(j["nodes"][3]["members"], 2);
  EXPECT_EQ(j["nodes"][3]["label"], "web (shop)");
  nlohmann::json web_db;
  for (const auto& e : j["edges"]) {
    if (e["from"] == "shop/app=web" && e["to"] == "shop/app=db") web_db = e;
  }
  EXPECT_EQ(web_db.dump(),
            R"({"bytes":500,"flows":2,"from":"shop/app=web","packets":5,)"
            R"("policies":["NetworkPolicy shop/db ingress[0]"],"ports":["TCP/5432"],)"
            R"("to":"shop/app=db","verdicts":{"allow":2,"deny":0,"would-deny":0}})");
}

TEST(DependencyMapTest, GroupsByNamespaceAndWorkload) {
  Estate estate;
  std::vector<AggregatedFlow> flows = Observed(estate);
  GroupBy ns = *GroupBy::Parse("namespace");
  DependencyMap by_ns = BuildDependencyMap(flows, ns);
  ASSERT_EQ(by_ns.nodes.size(), 4u);
  EXPECT_EQ(by_ns.nodes[2].id, "ns:shop");
  EXPECT_EQ(by_ns.nodes[2].members, 3u);
  EXPECT_EQ(by_ns.nodes[3].id, "workload/billing");
  DependencyMap by_workload = BuildDependencyMap(flows, *GroupBy::Parse("workload"));
  EXPECT_EQ(by_workload.nodes.size(), 6u);
  EXPECT_FALSE(GroupBy::Parse("Bad Label!").ok());
}

TEST(DependencyMapTest, DotColoursDeniedAndWouldDeny) {
  Estate estate;
  std::string dot = DependencyMapToDot(BuildDependencyMap(Observed(estate), GroupBy()));
  EXPECT_NE(dot.find(R"("ns:ops" -> "shop/app=db" [label="TCP/5432\n1 flows", color=red)"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find(R"("shop/app=web" -> "workload:app=billing" [label="TCP/8443\n1 flows", )"
                     R"(color=orange, fontcolor=orange, style=dashed])"),
            std::string::npos)
      << dot;
}

}  // namespace
}  // namespace microseg
