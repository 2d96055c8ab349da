// Every scenario of test/scenarios/ (the hand-derived tables, the upstream
// e2e suite's and the network-policy-api conformance suite's) enforced by
// the real kernel: the lab lays out the scenario's cluster in network
// namespaces with one agent per node, probes every pair its tables name on
// every (port, protocol), and each probe must give observed == model ==
// table. test/scenarios_test.cc checks model == table on every cell; this
// checks the cells the kernel can carry:
//  - IPv4, and IPv6 for the tables of `family: IPv6` (the lab is dual-stack);
//  - TCP and UDP (SCTP where this kernel has it);
//  - pairs in two namespaces: a pod to itself, or a node to a hostNetwork
//    pod on it, never leaves its namespace (see lab/probe.h);
//  - endpoints the lab lays out: scheduled pods with an IP, hostNetwork pods
//    (in their node's namespace), nodes with an address, and raw addresses
//    outside the cluster (a namespace of their own on the fabric).
// Every endpoint listens on every port the tables probe, so a port no pod
// declares is still decided by the kernel's rules, not by a refused connect.
// Needs root and nftables (skips otherwise).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "dataplane/nft/libnftables_executor.h"
#include "lab/lab.h"
#include "lab/load_wait.h"
#include "netns/netns.h"
#include "lab/probe.h"
#include "testing/scenario.h"
#include "testing/scenario_objects.h"

namespace microseg {
namespace {

using std::chrono::milliseconds;
using testutil::Scenario;
using testutil::ScenarioExpectation;

constexpr char kStateDir[] = "/tmp/microseg-scenarios-lab";

// Unique per process: ctest runs each scenario as its own process.
std::string LabName() { return "s" + std::to_string(getpid() % 100000); }

bool Carried(Protocol p) { return p == Protocol::kTCP || p == Protocol::kUDP || p == Protocol::kSCTP; }

// What the lab must hold for the tables: the ports they probe, and the
// external addresses they name.
lab::LabExtras ExtrasFor(const Scenario& s, const PolicyEngine& engine) {
  lab::LabExtras extras;
  std::set<std::pair<Protocol, uint16_t>> ports;
  std::set<std::string> externals;
  for (const ScenarioExpectation& e : s.expectations) {
    for (Protocol p : e.protocols) {
      for (uint16_t port : e.ports) {
        if (Carried(p)) ports.insert({p, port});
      }
    }
    for (const auto* axis : {&e.table.rows(), &e.table.columns()}) {
      for (const std::string& name : *axis) {
        auto ep = engine.Resolve(name);
        if (ep.ok() && ep->kind == EndpointKind::kExternal) externals.insert(name);
      }
    }
  }
  for (const auto& [p, port] : ports) extras.ports.push_back({p, port});
  extras.external_addresses.assign(externals.begin(), externals.end());
  return extras;
}

// The name the probe gives a table name's endpoint ("" when the lab has
// none): lab endpoints are keyed as Resolve names them, so a table may
// also name one by another spelling (a pod by its address).
std::string ProbeKey(const std::string& name, const PolicyEngine& engine, const std::set<std::string>& keys) {
  if (keys.count(name)) return name;
  auto ep = engine.Resolve(name);
  if (ep.ok() && keys.count(ep->DisplayName())) return ep->DisplayName();
  return "";
}

class ScenarioLabTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!nft::NftablesAvailable()) GTEST_SKIP() << "nftables not usable here";
    lab_name_ = LabName();
    ASSERT_TRUE(lab::Sweep(lab_name_, kStateDir).ok());
  }
  void TearDown() override {
    lab_.reset();  // ~Lab stops the agents and sweeps
    if (lab_name_.empty()) return;  // skipped
    lab::Sweep(lab_name_, kStateDir);
    EXPECT_TRUE(ListNetns("ms-" + lab_name_ + "-").empty());
  }

  std::string lab_name_;
  std::unique_ptr<lab::Lab> lab_;
};

TEST_P(ScenarioLabTest, KernelEqualsModelEqualsTable) {
  auto scenario = testutil::LoadScenario(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  const Scenario& s = *scenario;
  SCOPED_TRACE(s.path + ": " + s.description);
  auto objects = testutil::LoadScenarioObjects(s);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  PolicyEngine engine;
  engine.Load(*objects);

  lab::LabOptions options;
  options.name = lab_name_;
  options.state_dir = kStateDir;
  options.agent_poll = milliseconds(50);
  options.extras = ExtrasFor(s, engine);
  auto up = lab::Lab::Up(*objects, options);
  ASSERT_TRUE(up.ok()) << up.status().message();
  lab_ = std::move(*up);
  lab_->SetObjects(*objects);
  ASSERT_TRUE(lab_->WaitForAgents(lab::LoadScaledWait())) << "agents did not apply the scenario";

  std::set<std::string> keys;
  for (const lab::LabEndpoint& e : lab_->topology().Endpoints()) keys.insert(e.key);

  size_t cells = 0, probed = 0, not_observable = 0, ipv6 = 0;
  std::ostringstream failures;
  for (size_t i = 0; i < s.expectations.size(); ++i) {
    const ScenarioExpectation& e = s.expectations[i];
    const testutil::TruthTable& want = e.table;
    size_t table_cells = want.rows().size() * want.columns().size() * e.ports.size() * e.protocols.size();
    cells += table_cells;
    if (e.family == IpFamily::kV6) ipv6 += table_cells;
    // Probe key -> the table's row/column of it.
    std::map<std::string, size_t> row_of, column_of;
    lab::ProbeOptions po;
    po.family = e.family.value_or(IpFamily::kV4);
    for (size_t r = 0; r < want.rows().size(); ++r) {
      std::string key = ProbeKey(want.rows()[r], engine, keys);
      if (key.empty()) continue;
      row_of[key] = r;
      po.from.insert(key);
    }
    for (size_t c = 0; c < want.columns().size(); ++c) {
      std::string key = ProbeKey(want.columns()[c], engine, keys);
      if (key.empty()) continue;
      column_of[key] = c;
      po.to.insert(key);
    }
    if (po.from.empty() || po.to.empty()) continue;
    for (Protocol protocol : e.protocols) {
      if (!Carried(protocol)) continue;
      for (uint16_t port : e.ports) {
        lab::ProbeTable t = lab::Probe(lab_->topology(), engine, protocol, port, po);
        // A deny observed where an allow was due may be a slow machine,
        // not the kernel: look again, with patience, before calling it.
        lab::ProbeOptions again = po;
        again.timeout = milliseconds(3000);
        for (lab::ProbeRow& row : t.rows) {
          if (row.observed == "deny" && row.model != "deny") {
            again.from = {row.from};
            again.to = {row.to};
            lab::ProbeTable retry = lab::Probe(lab_->topology(), engine, protocol, port, again);
            if (retry.rows.size() == 1) row.observed = retry.rows[0].observed;
          }
        }
        for (const lab::ProbeRow& row : t.rows) {
          if (!row.observable()) {
            ++not_observable;
            continue;
          }
          ++probed;
          bool table_allows = want.allowed(row_of.at(row.from), column_of.at(row.to));
          bool model_allows = row.model != "deny";
          bool observed_allows = row.observed == "allow";
          if (observed_allows == model_allows && model_allows == table_allows) continue;
          failures << "  expect[" << i << "] " << ProtocolName(protocol) << "/" << port << " " << row.from
                   << " -> " << row.to << ": observed " << row.observed << ", model " << row.model
                   << ", table " << (table_allows ? "allow" : "deny") << "\n";
        }
      }
    }
  }
  EXPECT_TRUE(failures.str().empty()) << "observed, model and table disagree:\n" << failures.str();
  // The record of what the kernel decided, for the log of the run.
  std::cout << s.path.substr(s.path.rfind("/test/scenarios/") + 1) << ": " << probed
            << " probes agree (observed == model == table) of " << cells << " table cells (" << ipv6
            << " of them IPv6); " << not_observable << " not observable here (no socket of that protocol)\n";
  // Only a scenario with nothing the lab can carry may probe nothing.
  if (not_observable == 0) {
    EXPECT_GT(probed, 0u) << "no probe ran: the lab lays out none of the tables' endpoints";
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& param) {
  return testutil::ScenarioTestName(param.param);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioLabTest, ::testing::ValuesIn(testutil::AllScenarioFiles()), TestName);

}  // namespace
}  // namespace microseg
