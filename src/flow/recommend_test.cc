#include "flow/recommend.h"

#include <gtest/gtest.h>

#include "flow/flow_test_util.h"
#include "flow/recommend_verify.h"
#include "flow/recommend_yaml.h"
#include "ingest/manifest_loader.h"

namespace microseg {
namespace {

using flow_test::Estate;
using flow_test::Record;

std::vector<AggregatedFlow> Observed(Estate& estate) {
  FlowAggregator agg;
  for (const FlowRecord& r : {
           Record("10.0.1.1", "10.0.2.1", 5432),
           Record("10.0.1.2", "10.0.2.1", 5432),
           Record("10.0.9.1", "10.0.2.1", 5432, FlowVerdict::kDeny),
           Record("10.0.1.1", "192.168.10.10", 8443, FlowVerdict::kWouldDeny),
           Record("10.0.1.1", "192.168.30.10", 443),
           Record("192.168.10.10", "203.0.113.7", 443),
           Record("192.168.10.10", "203.0.113.9", 443),
           Record("192.168.10.10", "198.51.100.1", 53, FlowVerdict::kAllow, 1, 1, 1,
                  Protocol::kUDP),
       }) {
    agg.Add(estate.enricher.Enrich(r));
  }
  return agg.Snapshot();
}

// Loads today's objects plus the recommendation's YAML, as `recommend` does.
struct Verified {
  std::string yaml;
  VerifyReport report;
};
Verified RecommendAndVerify(Estate& estate, const RecommendOptions& options) {
  Recommendation rec = Recommend(Observed(estate), options);
  Verified v;
  v.yaml = ObjectsToYaml(rec.objects, "test");
  auto parsed = ParseManifests(v.yaml, "<recommendation>");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << v.yaml;
  if (!parsed.ok()) return v;
  ObjectSet merged = estate.objects;
  for (auto& np : parsed->objects.network_policies) merged.network_policies.push_back(np);
  for (auto& rs : parsed->objects.rulesets) merged.rulesets.push_back(rs);
  for (auto& l : parsed->objects.ip_lists) merged.ip_lists.push_back(l);
  for (auto& m : parsed->objects.enforcement_modes) merged.enforcement_modes.push_back(m);
  PolicyEngine after;
  after.Load(std::move(merged));
  v.report = VerifyRecommendation(estate.engine, after, rec.covered, options.group_by);
  return v;
}

TEST(RecommendTest, NetworkPoliciesForPodsRulesetsForVms) {
  Estate estate;
  Recommendation rec = Recommend(Observed(estate), RecommendOptions());
  const ObjectSet& o = rec.objects;
  ASSERT_EQ(o.network_policies.size(), 2u);  // db and web; job-1's flow was denied
  const NetworkPolicy& db = o.network_policies[0];
  EXPECT_EQ(db.Key(), "shop/microseg-db");
  EXPECT_EQ(db.pod_selector.ToString(), "app=db");
  ASSERT_EQ(db.ingress.size(), 1u);
  EXPECT_EQ(db.ingress[0].peers[0].pod_selector->ToString(), "app=web");
  EXPECT_EQ(db.ingress[0].peers[0].namespace_selector->ToString(),
            "kubernetes.io/metadata.name=shop");
  EXPECT_EQ(db.ingress[0].ports,
            std::vector<PortMatch>{PortMatch::Named(Protocol::kTCP, "postgres")});
  EXPECT_TRUE(db.affects_egress);
  EXPECT_TRUE(db.egress.empty());
  const NetworkPolicy& web = o.network_policies[1];
  EXPECT_EQ(web.Key(), "shop/microseg-web");
  ASSERT_EQ(web.egress.size(), 3u);  // db; billing and saas by address
  EXPECT_EQ(web.egress[1].peers[0].ip_block->cidr.ToString(), "192.168.10.10/32");
  EXPECT_EQ(web.egress[1].ports,
            std::vector<PortMatch>{PortMatch::Range(Protocol::kTCP, 8443, 8443)});

  ASSERT_EQ(o.rulesets.size(), 1u);
  const Ruleset& billing = o.rulesets[0];
  EXPECT_EQ(billing.name, "microseg-workload-billing");
  EXPECT_EQ(billing.scope.selector.ToString(), "app=billing");
  ASSERT_EQ(billing.ingress.size(), 1u);
  EXPECT_EQ(billing.ingress[0].name, "from-web-shop");
  ASSERT_EQ(billing.egress.size(), 2u);  // two external blocks
  EXPECT_EQ(billing.egress[0].peers[0].ip_list, "microseg-ext-198-51-100-1-32");
  EXPECT_EQ(billing.egress[1].peers[0].ip_list, "microseg-ext-203-0-113-0-28");
  ASSERT_EQ(o.enforcement_modes.size(), 1u);
  EXPECT_EQ(o.enforcement_modes[0].mode, Mode::kEnforced);
  EXPECT_EQ(o.ip_lists.size(), 2u);
  EXPECT_EQ(rec.notes,
            std::vector<std::string>{
                "1 denied aggregates were left out (pass --include-denied to allow them)"});
}

TEST(RecommendTest, VerifiesInTheModel) {
  Estate estate;
  Verified v = RecommendAndVerify(estate, RecommendOptions());
  EXPECT_TRUE(v.report.ok());
  EXPECT_EQ(v.report.observed, 7u);
  EXPECT_EQ(v.report.observed_allowed, 7u);
  EXPECT_GT(v.report.unobserved_denied, 0u);
  EXPECT_EQ(v.report.unobserved_allowed_count, 0u)
      << (v.report.unobserved_allowed.empty() ? "" : v.report.unobserved_allowed.front());
  EXPECT_GT(v.report.unobserved_unenforced, 0u);  // e.g. external -> external
  // Today web -> billing:8443 is unenforced; job-1 -> web and others pass today.
  bool job_to_web = false;
  for (const GroupChange& c : v.report.changes)
    job_to_web |= c.from == "shop/app=web" && c.to == "shop/app=db";
  EXPECT_FALSE(job_to_web);  // observed: never taken away
  EXPECT_FALSE(v.report.changes.empty());
}

TEST(RecommendTest, RulesetsForPodsToo) {
  Estate estate;
  RecommendOptions options;
  options.kind = RecommendOptions::Kind::kRuleset;
  Verified v = RecommendAndVerify(estate, options);
  EXPECT_TRUE(v.report.ok()) << v.yaml;
  EXPECT_EQ(v.report.observed_allowed, 7u);
  EXPECT_NE(v.yaml.find("name: microseg-shop-web"), std::string::npos) << v.yaml;
}

TEST(RecommendTest, GroupByNamespace) {
  Estate estate;
  RecommendOptions options;
  options.group_by = *GroupBy::Parse("namespace");
  Verified v = RecommendAndVerify(estate, options);
  EXPECT_TRUE(v.report.ok()) << v.yaml;
  EXPECT_NE(v.yaml.find("name: microseg-namespace"), std::string::npos) << v.yaml;
}

TEST(RecommendTest, CoveringBlocks) {
  auto ip = [](const char* t) { return *IpAddress::Parse(t); };
  auto text = [](const std::vector<Cidr>& blocks) {
    std::vector<std::string> out;
    for (const Cidr& c : blocks) out.push_back(c.ToString());
    return out;
  };
  EXPECT_EQ(text(CoveringBlocks({ip("203.0.113.9"), ip("203.0.113.7"), ip("8.8.8.8"),
                                 ip("203.0.113.7"), ip("fd00::1"), ip("fd00::ff")},
                                24, 64)),
            (std::vector<std::string>{"8.8.8.8/32", "203.0.113.0/28", "fd00::/120"}));
  EXPECT_EQ(Slug("Shop/App=Web"), "shop-app-web");
  EXPECT_EQ(Slug("--"), "x");
}

}  // namespace
}  // namespace microseg
