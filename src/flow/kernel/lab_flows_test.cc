// Lab integration: a two-node lab (real namespaces, real agents enforcing
// the model), the collectors in the destination node's namespace, and
// traffic the model allows and traffic it would deny (visibility mode).
// Both must come back as records and be named by the enricher.
// Needs root and nftables; skips otherwise. The lab is swept before and
// after, also when the test fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include "dataplane/nft/libnftables_executor.h"
#include "flow/endpoint_directory.h"
#include "flow/flow_enricher.h"
#include "flow/kernel/conntrack_collector.h"
#include "flow/kernel/kernel_test_util.h"
#include "flow/kernel/nflog_collector.h"
#include "ingest/manifest_loader.h"
#include "lab/lab.h"
#include "netns/netns.h"
#include "lab/probe.h"

namespace microseg {
namespace {

using kernel_test::Records;
using kernel_test::Tuple;

constexpr char kStateDir[] = "/tmp/microseg-flow-lab-test";

// web-1 on n1, db-1 on n2. db accepts web on 5432; port 22 is not allowed,
// but db is in visibility mode: the connection passes and is logged.
constexpr char kEstate[] = R"(
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web-1, labels: {app: web}}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: db-1, labels: {app: db}}
spec:
  nodeName: n2
  containers:
  - name: db
    ports: [{containerPort: 5432}, {containerPort: 22}]
status: {phase: Running, podIP: 10.0.2.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
---
apiVersion: microseg.io/v1alpha1
kind: EnforcementMode
metadata: {name: db-visibility}
spec:
  scope:
    selector: {matchLabels: {app: db}}
  mode: visibility
)";

std::string LabName() { return "fl" + std::to_string(getpid() % 100000); }

class LabFlowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    bool ok = false;
    kernel_test::InPrivateNetns([&] { ok = nft::NftablesAvailable(); });
    if (!ok) GTEST_SKIP() << "nftables not usable here";
    ASSERT_TRUE(lab::Sweep(LabName(), kStateDir).ok());
  }
  void TearDown() override {
    // Collectors hold sockets in the lab's namespaces: close them first.
    conntrack_.reset();
    nflog_.reset();
    if (lab_) lab_->Down();
    lab_.reset();
    lab::Sweep(LabName(), kStateDir);
  }

  std::unique_ptr<lab::Lab> lab_;
  std::unique_ptr<ConntrackCollector> conntrack_;
  std::unique_ptr<NflogCollector> nflog_;
};

TEST_F(LabFlowsTest, AllowedAndWouldDenyFlowsAreCollectedAndNamed) {
  auto loaded = ParseManifests(kEstate, "estate.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ObjectSet& objects = loaded->objects;
  PolicyEngine engine;
  engine.Load(objects);

  lab::LabOptions options;
  options.name = LabName();
  options.state_dir = kStateDir;
  auto up = lab::Lab::Up(objects, options);
  ASSERT_TRUE(up.ok()) << up.status().message();
  lab_ = std::move(*up);
  lab_->SetObjects(objects);
  ASSERT_TRUE(lab_->WaitForAgents(std::chrono::milliseconds(10000))) << "agents did not sync";

  const lab::LabNode* n2 = lab_->topology().FindNode("n2");
  ASSERT_NE(n2, nullptr);
  Records records;
  {
    // The collectors' sockets stay in n2's namespace once opened.
    ScopedNetns in_n2(n2->netns);
    ASSERT_TRUE(in_n2.status().ok()) << in_n2.status().message();
    conntrack_ = std::make_unique<ConntrackCollector>(ConntrackOptions{.node = "n2"},
                                                      records.Sink());
    Status s = conntrack_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    nflog_ = std::make_unique<NflogCollector>(NflogOptions{.node = "n2", .group = 100},
                                              records.Sink());
    s = nflog_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // Real connections; in visibility mode both pass.
  for (uint16_t port : {5432, 22}) {
    lab::ProbeTable t = lab::Probe(lab_->topology(), engine, Protocol::kTCP, port);
    bool seen = false;
    for (const lab::ProbeRow& row : t.rows) {
      if (row.from != "shop/web-1" || row.to != "shop/db-1") continue;
      seen = true;
      EXPECT_EQ(row.observed, "allow") << port;
      EXPECT_EQ(row.model, port == 5432 ? "allow" : "would-deny") << port;
    }
    ASSERT_TRUE(seen) << "probe skipped web-1 -> db-1:" << port;
  }
  // The connection is reported when it starts (flows 1, no counters yet),
  // long before its TIME_WAIT ends.
  auto allow_tuple = Tuple("10.0.1.1", "10.0.2.1", Protocol::kTCP, 5432, FlowVerdict::kAllow);
  auto started = records.WaitFor([&](const FlowRecord& r) { return allow_tuple(r) && r.flows == 1; });
  ASSERT_TRUE(started) << "no start record; got " << records.All().size();
  EXPECT_EQ(started->bytes, 0u);
  {
    // End the connections now rather than after TIME_WAIT.
    ScopedNetns in_n2(n2->netns);
    ASSERT_TRUE(kernel_test::FlushConntrack());
  }

  // Its end brings the counters, without counting it again.
  auto allowed = records.WaitFor([&](const FlowRecord& r) { return allow_tuple(r) && r.flows == 0; });
  ASSERT_TRUE(allowed) << "no end record; got " << records.All().size();
  EXPECT_GT(allowed->packets, 0u);
  EXPECT_GT(allowed->bytes, 0u);
  auto would = records.WaitFor(
      Tuple("10.0.1.1", "10.0.2.1", Protocol::kTCP, 22, FlowVerdict::kWouldDeny));
  ASSERT_TRUE(would) << "no would-deny record";

  // Enriched with the model: names, namespace, and the deciding policy.
  EndpointDirectory directory(objects);
  FlowEnricher enricher(&engine, &directory);
  EnrichedFlow a = enricher.Enrich(*allowed);
  EXPECT_EQ(a.src->DisplayName(), "shop/web-1");
  EXPECT_EQ(a.dst->DisplayName(), "shop/db-1");
  EXPECT_EQ(a.dst->namespace_name, "shop");
  EXPECT_EQ(a.dst->node, "n2");
  ASSERT_TRUE(a.decision);
  EXPECT_EQ(a.decision->model, FlowVerdict::kAllow);
  EnrichedFlow w = enricher.Enrich(*would);
  EXPECT_EQ(w.src->DisplayName(), "shop/web-1");
  EXPECT_EQ(w.dst->DisplayName(), "shop/db-1");
  ASSERT_TRUE(w.decision);
  EXPECT_EQ(w.decision->model, FlowVerdict::kWouldDeny);
}

}  // namespace
}  // namespace microseg
