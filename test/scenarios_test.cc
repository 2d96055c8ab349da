// Checks PolicyEngine against the hand-derived truth tables in
// test/scenarios/ (see test/scenarios/README.md for the file format and
// test/testing/scenario.h for the loader). One test per scenario file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "ingest/manifest_loader.h"
#include "policy/policy_engine.h"
#include "testing/scenario.h"
#include "testing/scenario_objects.h"
#include "testing/truth_table.h"

namespace microseg {
namespace {

using testutil::Scenario;
using testutil::ScenarioExpectation;
using testutil::TruthTable;

std::string DescribeDirection(const char* label, const DirectionVerdict& d) {
  std::ostringstream out;
  out << "  " << label << ": " << (d.allowed ? "allow" : "deny") << " tier=" << TierName(d.tier);
  if (!d.policy_kind.empty()) out << " " << d.policy_kind << " " << d.policy;
  if (!d.rule.empty()) out << " rule " << d.rule;
  if (!d.reason.empty()) out << " (" << d.reason << ")";
  out << "\n";
  return out.str();
}

// `microseg explain`-style account of one flow.
std::string Explain(const PolicyEngine& engine, const Endpoint& src, const Endpoint& dst,
                    Protocol protocol, uint16_t port) {
  Trace trace;
  Verdict v = engine.Check(src, dst, protocol, port, &trace);
  std::ostringstream out;
  out << "explain " << src.DisplayName() << " -> " << dst.DisplayName() << " "
      << ProtocolName(protocol) << "/" << port << ": " << v.Name() << "\n"
      << DescribeDirection("egress at source", v.egress)
      << DescribeDirection("ingress at destination", v.ingress);
  for (const TraceStep& step : trace.steps) {
    out << "  - " << DirectionName(step.direction) << " " << TierName(step.tier) << " "
        << step.policy_kind << " " << step.policy;
    if (!step.rule.empty()) out << " " << step.rule;
    out << ": " << (step.matched ? "matched" : "no match");
    if (!step.detail.empty()) out << " (" << step.detail << ")";
    out << "\n";
  }
  return out.str();
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, MatchesTruthTables) {
  auto scenario = testutil::LoadScenario(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  const Scenario& s = *scenario;
  SCOPED_TRACE(s.path + ": " + s.description);

  auto objects = testutil::LoadScenarioObjects(s);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  PolicyEngine engine;
  engine.Load(*objects);

  if (s.endpoints) {
    std::vector<std::string> actual;
    for (const Endpoint& e : engine.Endpoints(/*all_kinds=*/false)) {
      actual.push_back(e.DisplayName());
    }
    std::vector<std::string> expected = *s.endpoints;
    std::sort(actual.begin(), actual.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(actual, expected) << "PolicyEngine::Endpoints(false) differs from `endpoints`";
  }

  for (size_t i = 0; i < s.expectations.size(); ++i) {
    const ScenarioExpectation& e = s.expectations[i];
    const TruthTable& want = e.table;
    // Resolve every name once per expectation.
    std::map<std::string, Endpoint> resolved;
    bool resolve_failed = false;
    for (const auto* axis : {&want.rows(), &want.columns()}) {
      for (const std::string& name : *axis) {
        if (resolved.count(name)) continue;
        auto ep = testutil::ResolveTableName(engine, *objects, name, e.family);
        if (!ep.ok()) {
          ADD_FAILURE() << "expect[" << i << "]: cannot resolve " << name << ": "
                        << ep.status().message();
          resolve_failed = true;
          continue;
        }
        resolved.emplace(name, *ep);
      }
    }
    if (resolve_failed) continue;

    for (Protocol protocol : e.protocols) {
      for (uint16_t port : e.ports) {
        TruthTable got = want;
        for (size_t r = 0; r < want.rows().size(); ++r) {
          for (size_t c = 0; c < want.columns().size(); ++c) {
            const Endpoint& src = resolved.at(want.rows()[r]);
            const Endpoint& dst = resolved.at(want.columns()[c]);
            got.set(r, c, engine.Check(src, dst, protocol, port).allowed());
          }
        }
        auto mismatches = testutil::Compare(want, got);
        if (mismatches.empty()) continue;
        const auto& first = mismatches.front();
        ADD_FAILURE() << "expect[" << i << "] " << ProtocolName(protocol) << "/" << port
                      << (e.family ? (*e.family == IpFamily::kV6 ? " IPv6" : " IPv4") : "")
                      << (e.note.empty() ? "" : " (" + e.note + ")") << "\n"
                      << testutil::DescribeMismatches(want, got)
                      << Explain(engine, resolved.at(want.rows()[first.row]),
                                 resolved.at(want.columns()[first.column]), protocol, port);
      }
    }
  }
}

std::vector<std::string> ScenarioFiles() { return testutil::AllScenarioFiles(); }

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  return testutil::ScenarioTestName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()), TestName);

// The suite is only as good as its coverage; a missing directory (wrong
// MICROSEG_SOURCE_DIR) must fail loudly rather than run zero tests.
TEST(ScenarioFilesTest, AtLeastThirtyFiveScenarios) {
  EXPECT_GE(ScenarioFiles().size(), 35u) << "looked in " << testutil::SourceDir();
}

}  // namespace
}  // namespace microseg
