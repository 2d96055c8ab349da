// Replay tests of PatchPeers (in the manner of Calico Felix's): a sequence
// of remote pod changes over a generated cluster, applied step by step,
// whole, squashed to its net effect, and undone in reverse, must give the
// plan a compile from scratch gives. A patch may be refused (the agent then
// compiles); the counters make sure most steps are patched.
#include "plan/peer_patch.h"

#include <gtest/gtest.h>

#include <map>

#include "plan/compiler.h"
#include "plan/random_cluster.h"

namespace microseg::plantest {
namespace {

constexpr char kNode[] = "node-1";

// One step: pod `key` becomes `after` (nullopt: deleted).
struct Step {
  std::string key;
  std::optional<Pod> after;
};

void Set(PolicyEngine* engine, const std::string& key, const std::optional<Pod>& after) {
  if (after) {
    engine->Upsert(*after);
    return;
  }
  size_t slash = key.find('/');
  engine->DeletePod(key.substr(0, slash), key.substr(slash + 1));
}

std::optional<Pod> Current(const PolicyEngine& engine, const std::string& key) {
  const Pod* p = engine.FindPod(key);
  return p ? std::optional<Pod>(*p) : std::nullopt;
}

Plan CompileNow(const PolicyEngine& engine) { return CompileForNode(engine, kNode, PlanOptions{}); }

// Remote pod churn drawn from `e`: deletions, clones of a pod's kind at new
// addresses (inside and outside the generator's blocks), address moves,
// relabels, and pods coming back as they were.
std::vector<Step> DrawSteps(Entropy* e, const ObjectSet& cluster, int count) {
  std::map<std::string, Pod> live, dead;
  for (const Pod& p : cluster.pods) {
    if (p.node_name != kNode) live[p.Key()] = p;
  }
  std::vector<Step> steps;
  auto fresh_ip = [&](int n) {
    static const char* kPrefixes[] = {"10.0.1.", "10.0.0.", "192.168.5.", "172.16.0."};
    std::string prefix = kPrefixes[e->Below(4)];
    if (e->Percent(15)) return *IpAddress::Parse("fd00::" + std::to_string(0x100 + n));
    return *IpAddress::Parse(prefix + std::to_string(100 + n));
  };
  auto pick = [&](std::map<std::string, Pod>& from) -> Pod* {
    if (from.empty()) return nullptr;
    auto it = from.begin();
    std::advance(it, e->Below(static_cast<uint32_t>(from.size())));
    return &it->second;
  };
  for (int n = 0; static_cast<int>(steps.size()) < count && n < count * 4; ++n) {
    switch (e->Below(5)) {
      case 0: {  // deleted
        Pod* p = pick(live);
        if (p == nullptr) break;
        steps.push_back({p->Key(), std::nullopt});
        dead[p->Key()] = *p;
        live.erase(p->Key());
        break;
      }
      case 1: {  // a new pod of an existing kind
        Pod* p = pick(e->Percent(70) || dead.empty() ? live : dead);
        if (p == nullptr) break;
        Pod clone = *p;
        clone.name = "c" + std::to_string(n);
        clone.uid = clone.Key() + "-uid";
        clone.ips = {fresh_ip(n)};
        clone.phase = "";
        steps.push_back({clone.Key(), clone});
        live[clone.Key()] = clone;
        break;
      }
      case 2: {  // moved to a new address
        Pod* p = pick(live);
        if (p == nullptr) break;
        p->ips = {fresh_ip(n)};
        steps.push_back({p->Key(), *p});
        break;
      }
      case 3: {  // relabeled
        Pod* p = pick(live);
        if (p == nullptr) break;
        p->labels.Set("app", e->Pick(std::vector<std::string>{"web", "db", "cache"}));
        steps.push_back({p->Key(), *p});
        break;
      }
      default: {  // back as it was
        Pod* p = pick(dead);
        if (p == nullptr) break;
        steps.push_back({p->Key(), *p});
        live[p->Key()] = *p;
        dead.erase(p->Key());
        break;
      }
    }
  }
  return steps;
}

struct Counts {
  size_t patched = 0, refused = 0, classes_dropped = 0, classes_restored = 0;
};

// Patches `plan` for `changes` (already applied to `engine`); on refusal
// compiles, as the agent does.
void PatchOrCompile(Plan* plan, const PolicyEngine& engine, const std::vector<PodChange>& changes,
                    PeerClassMemory* memory, Counts* counts) {
  Result<PlanDiff> diff = PatchPeers(*plan, engine, changes, memory);
  if (!diff.ok()) {
    ++counts->refused;
    *plan = CompileNow(engine);
    memory->Forget();
    return;
  }
  ++counts->patched;
  for (const DirectionDiff* d : {&diff->ingress, &diff->egress}) {
    counts->classes_dropped += d->classes_removed.size();
    counts->classes_restored += d->classes_added.size();
  }
  ApplyDiff(*diff, plan);
}

TEST(PeerPatchTest, ReplayedWholeSplitSquashedAndReversedEqualsACompile) {
  constexpr uint64_t kClusters = 300;
  Counts split, whole, squashed, reversed;
  for (uint64_t seed = 1; seed <= kClusters; ++seed) {
    Entropy entropy = Entropy::Seeded(seed);
    ObjectSet cluster = ClusterGenerator(&entropy).Generate();
    std::vector<Step> steps = DrawSteps(&entropy, cluster, 8);
    SCOPED_TRACE("seed " + std::to_string(seed));

    PolicyEngine base;
    base.Load(cluster);
    const Plan base_plan = CompileNow(base);

    // Split: one step at a time.
    PolicyEngine engine;
    engine.Load(cluster);
    Plan plan = base_plan;
    PeerClassMemory memory;
    std::vector<std::optional<Pod>> befores;
    for (size_t i = 0; i < steps.size(); ++i) {
      befores.push_back(Current(engine, steps[i].key));
      Set(&engine, steps[i].key, steps[i].after);
      PatchOrCompile(&plan, engine, {{steps[i].key, befores.back()}}, &memory, &split);
      ASSERT_EQ(plan, CompileNow(engine)) << "after step " << i;
    }
    // The same state loaded from scratch compiles to the same peer maps.
    {
      PolicyEngine fresh;
      ObjectSet objects = cluster;
      objects.pods.clear();
      fresh.Load(objects);
      for (const Pod& p : cluster.pods) {
        if (const Pod* now = engine.FindPod(p.Key())) fresh.Upsert(*now);
      }
      for (const Step& s : steps) {
        if (const Pod* now = engine.FindPod(s.key)) fresh.Upsert(*now);
      }
      Plan scratch = CompileNow(fresh);
      EXPECT_EQ(plan.ingress, scratch.ingress);
      EXPECT_EQ(plan.egress, scratch.egress);
    }

    // Reversed: every step undone, last first, from where split ended.
    for (size_t i = steps.size(); i-- > 0;) {
      std::optional<Pod> before = Current(engine, steps[i].key);
      Set(&engine, steps[i].key, befores[i]);
      PatchOrCompile(&plan, engine, {{steps[i].key, before}}, &memory, &reversed);
      ASSERT_EQ(plan, CompileNow(engine)) << "undoing step " << i;
    }
    EXPECT_EQ(plan.ingress, base_plan.ingress);
    EXPECT_EQ(plan.egress, base_plan.egress);

    // Whole: every step in one batch (a key may repeat; the first entry
    // holds the pod before the batch).
    PolicyEngine batch;
    batch.Load(cluster);
    std::vector<PodChange> changes;
    std::map<std::string, std::optional<Pod>> first_before;
    for (const Step& s : steps) {
      changes.push_back({s.key, Current(batch, s.key)});
      first_before.try_emplace(s.key, Current(batch, s.key));
      Set(&batch, s.key, s.after);
    }
    Plan whole_plan = base_plan;
    PeerClassMemory whole_memory;
    PatchOrCompile(&whole_plan, batch, changes, &whole_memory, &whole);
    EXPECT_EQ(whole_plan, CompileNow(batch));

    // Squashed: only each pod's net change, applied at once.
    PolicyEngine net;
    net.Load(cluster);
    std::vector<PodChange> net_changes;
    for (const auto& [key, before] : first_before) {
      Set(&net, key, Current(batch, key));
      net_changes.push_back({key, before});
    }
    Plan squashed_plan = base_plan;
    PeerClassMemory squashed_memory;
    PatchOrCompile(&squashed_plan, net, net_changes, &squashed_memory, &squashed);
    EXPECT_EQ(squashed_plan, CompileNow(net));
    EXPECT_EQ(squashed_plan.ingress, whole_plan.ingress);
    EXPECT_EQ(squashed_plan.egress, whole_plan.egress);
  }
  std::printf(
      "peer patch replay: split %zu patched / %zu compiled (%zu classes dropped, %zu restored); "
      "reversed %zu / %zu; whole %zu / %zu; squashed %zu / %zu\n",
      split.patched, split.refused, split.classes_dropped, split.classes_restored, reversed.patched,
      reversed.refused, whole.patched, whole.refused, squashed.patched, squashed.refused);
  // Not vacuous: most single steps patch, and classes leave and come back.
  EXPECT_GT(split.patched, split.refused);
  EXPECT_GT(reversed.patched, kClusters);
  EXPECT_GT(split.classes_dropped + reversed.classes_dropped, 0u);
  EXPECT_GT(split.classes_restored + reversed.classes_restored, 0u);
}

// A pod whose identity has no other member comes back after a patch took
// it out: its class (verdicts and all) returns from the memory.
TEST(PeerPatchTest, ALonePodRecreatedGetsItsClassBack) {
  using namespace microseg::testing;
  ObjectSet o;
  o.namespaces.push_back(Ns("a", {}));
  Pod local = MakePod("a", "web", L({{"app", "web"}}), "10.0.0.1");
  local.node_name = kNode;
  Pod api = MakePod("a", "api", L({{"app", "api"}}), "10.0.0.2");
  api.node_name = "node-2";
  o.pods = {local, api};
  NetworkPolicy np;
  np.namespace_name = "a";
  np.name = "web";
  np.pod_selector.AddMatchLabel("app", "web");
  np.affects_ingress = true;
  NetworkPolicyRule rule;
  NetworkPolicyPeer peer;
  peer.pod_selector = Sel({{"app", "api"}});
  rule.peers.push_back(peer);
  np.ingress.push_back(rule);
  o.network_policies.push_back(np);

  PolicyEngine engine;
  engine.Load(o);
  Plan plan = CompileNow(engine);
  ASSERT_EQ(plan.ingress.peer_hosts.size(), 1u);
  ASSERT_EQ(plan.ingress.classes.size(), 2u);
  PeerClassMemory memory;

  engine.DeletePod("a", "api");
  Result<PlanDiff> gone = PatchPeers(plan, engine, {{"a/api", api}}, &memory);
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_EQ(gone->ingress.classes_removed.size(), 1u) << "its class has no address left";
  ApplyDiff(*gone, &plan);
  EXPECT_EQ(plan, CompileNow(engine));

  Pod again = api;
  again.ips = {*IpAddress::Parse("10.0.0.9")};
  engine.Upsert(again);
  Result<PlanDiff> back = PatchPeers(plan, engine, {{"a/api", std::nullopt}}, &memory);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->ingress.classes_added.size(), 1u);
  ApplyDiff(*back, &plan);
  EXPECT_EQ(plan, CompileNow(engine));

  // Without the memory (as after a compile), the patch is refused.
  engine.DeletePod("a", "api");
  Plan compiled = CompileNow(engine);
  engine.Upsert(again);
  PeerClassMemory empty;
  Result<PlanDiff> refused = PatchPeers(compiled, engine, {{"a/api", std::nullopt}}, &empty);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "an added pod has no twin and no remembered class");
}

TEST(PeerPatchTest, LocalPodsAreRefused) {
  using namespace microseg::testing;
  ObjectSet o;
  Pod local = MakePod("a", "web", L({{"app", "web"}}), "10.0.0.1");
  local.node_name = kNode;
  o.pods = {local};
  PolicyEngine engine;
  engine.Load(o);
  Plan plan = CompileNow(engine);
  PeerClassMemory memory;
  Pod moved = local;
  moved.ips = {*IpAddress::Parse("10.0.0.5")};
  engine.Upsert(moved);
  Result<PlanDiff> r = PatchPeers(plan, engine, {{"a/web", local}}, &memory);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "a local or hostNetwork pod changed");
}

}  // namespace
}  // namespace microseg::plantest
