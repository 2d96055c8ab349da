#include "flow/flow_enricher.h"

#include <gtest/gtest.h>

#include "flow/flow_test_util.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

TEST(FlowEnricherTest, AddsIdentitiesAndTheDecidingPolicy) {
  Estate estate;
  EnrichedFlow f = estate.enricher.Enrich(Record("10.0.1.1", "10.0.2.1", 5432));
  EXPECT_EQ(f.src->kind, EndpointKind::kPod);
  EXPECT_EQ(f.src->DisplayName(), "shop/web-1");
  EXPECT_EQ(f.src->namespace_name, "shop");
  EXPECT_EQ(*f.src->labels.Get("app"), "web");
  EXPECT_EQ(f.src->node, "n1");
  EXPECT_EQ(f.dst->DisplayName(), "shop/db-1");
  ASSERT_EQ(f.dst->ports.size(), 1u);
  ASSERT_TRUE(f.decision);
  EXPECT_EQ(f.decision->model, FlowVerdict::kAllow);
  EXPECT_EQ(f.decision->policies, std::vector<std::string>{"NetworkPolicy shop/db ingress[0]"});
}

TEST(FlowEnricherTest, DeniedByIsolation) {
  Estate estate;
  EnrichedFlow f = estate.enricher.Enrich(Record("10.0.9.1", "10.0.2.1", 5432, FlowVerdict::kDeny));
  ASSERT_TRUE(f.decision);
  EXPECT_EQ(f.decision->model, FlowVerdict::kDeny);
  EXPECT_EQ(f.decision->policies, std::vector<std::string>{"ingress isolation"});
}

TEST(FlowEnricherTest, WorkloadsAndExternalAddresses) {
  Estate estate;
  EnrichedFlow f = estate.enricher.Enrich(Record("192.168.10.10", "203.0.113.7", 443));
  EXPECT_EQ(f.src->kind, EndpointKind::kWorkload);
  EXPECT_EQ(f.src->DisplayName(), "workload/billing");
  EXPECT_EQ(f.src->node, "billing");
  EXPECT_EQ(f.dst->kind, EndpointKind::kExternal);
  EXPECT_EQ(f.dst->DisplayName(), "203.0.113.7");
  ASSERT_TRUE(f.decision);
  EXPECT_TRUE(f.decision->policies.empty());
  EXPECT_TRUE(estate.enricher.Lookup(*IpAddress::Parse("192.168.30.10"))->unmanaged);
}

TEST(FlowEnricherTest, SharesOneInfoPerEndpointAndSurvivesCacheRestarts) {
  Estate estate;
  FlowEnricher small(&estate.engine, &estate.directory,
                     {.max_cached_endpoints = 2, .decision_cache_slots = 1});
  EnrichedFlow a = small.Enrich(Record("10.0.1.1", "10.0.2.1", 5432));
  EnrichedFlow b = small.Enrich(Record("10.0.1.2", "10.0.2.1", 5432));
  EnrichedFlow c = small.Enrich(Record("10.0.1.1", "10.0.2.1", 80));
  EXPECT_TRUE(a.src->SameEndpoint(*c.src));
  EXPECT_FALSE(a.src->SameEndpoint(*b.src));
  EXPECT_EQ(c.decision->model, FlowVerdict::kDeny);  // only 5432 is allowed to db
  EXPECT_EQ(a.decision->model, FlowVerdict::kAllow);
}

TEST(FlowEnricherTest, WithoutAnEngineEveryAddressIsExternal) {
  FlowEnricher bare;
  EnrichedFlow f = bare.Enrich(Record("10.0.1.1", "10.0.2.1", 5432));
  EXPECT_EQ(f.src->kind, EndpointKind::kExternal);
  EXPECT_EQ(f.src->DisplayName(), "10.0.1.1");
  EXPECT_FALSE(f.decision);
}

}  // namespace
}  // namespace microseg
