// SpanComputer through its public interface: what a node's span holds, and
// that the live delta stream keeps an agent's copy complete (docs/
// CONTROLLER.md, "How the controller keeps spans"). Objects go in as the API
// stores them (manifests through ParseApplyRequest), not as model structs:
// the computer reads stored documents.
#include "controller/http/span_computer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "controller/api/apply_request.h"
#include "controller/store/sqlite_store.h"
#include "controller/testing/temp_dir.h"

namespace microseg {
namespace {

using testing::TempDir;
using Keys = std::set<std::string>;  // "Pod shop/web"

std::string PodJson(const std::string& ns, const std::string& name, const std::string& app,
                    const std::string& node, const std::string& ip, bool host_network = false) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" +
         ns + R"(","labels":{"app":")" + app + R"("}},"spec":{"nodeName":")" + node + R"(")" +
         (host_network ? R"(,"hostNetwork":true)" : "") + R"(},"status":{"podIP":")" + ip +
         R"("}})";
}

std::string NamespaceJson(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})";
}

std::string NodeJson(const std::string& name, const std::string& ip) {
  return R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
         R"(","labels":{"role":"worker"}},"status":{"addresses":[{"type":"InternalIP","address":")" +
         ip + R"("}]}})";
}

std::string WorkloadJson(const std::string& name, const std::string& app, const std::string& host,
                         const std::string& ip) {
  return R"({"apiVersion":"microseg.io/v1alpha1","kind":"Workload","metadata":{"name":")" + name +
         R"(","labels":{"app":")" + app + R"("}},"spec":{"host":")" + host + R"(","ips":[")" + ip +
         R"("]}})";
}

// A NetworkPolicy in `ns` on pods app=`to`, allowing ingress from pods
// app=`from` of the namespace.
std::string AllowJson(const std::string& ns, const std::string& name, const std::string& to,
                      const std::string& from) {
  return R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":")" +
         name + R"(","namespace":")" + ns + R"("},"spec":{"podSelector":{"matchLabels":{"app":")" +
         to +
         R"("}},"policyTypes":["Ingress"],"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":")" +
         from + R"("}}}]}]}})";
}

class SpanComputerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
  }

  // Writes the objects of `json` documents in one commit; its revision.
  int64_t Put(const std::vector<std::string>& documents) {
    std::vector<Mutation> mutations;
    for (const std::string& text : documents) {
      auto parsed = ParseApplyRequest({{"test.json", text}});
      EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << text;
      if (!parsed.ok()) return 0;
      for (ApiObject& o : parsed->objects) {
        mutations.push_back({Mutation::Type::kPut, o.key, std::move(o.json)});
      }
    }
    auto committed = store_->Commit(mutations);
    EXPECT_TRUE(committed.ok()) << committed.status().message();
    return committed.ok() ? committed->revision : 0;
  }

  int64_t Delete(const ObjectKey& key) {
    auto committed = store_->Commit({{Mutation::Type::kDelete, key, {}}});
    EXPECT_TRUE(committed.ok()) << committed.status().message();
    return committed.ok() ? committed->revision : 0;
  }

  static Keys KeysOf(const Snapshot& span) {
    Keys keys;
    for (const StoredObject& o : span.objects) keys.insert(o.key.ToString());
    return keys;
  }

  // A node's agent: its span, then every delta after it.
  struct Agent {
    std::string node;
    int64_t revision = 0;
    Keys keys;
    std::vector<SpanComputer::Delta> deltas;  // since the span
  };

  Agent Join(const std::string& node) {
    Agent agent;
    agent.node = node;
    auto span = spans_.LiveSpan(store_.get(), node);
    EXPECT_TRUE(span.ok()) << span.status().message();
    if (!span.ok()) return agent;
    agent.revision = span->revision;
    agent.keys = KeysOf(*span);
    return agent;
  }

  // Follows the node's stream until `revision`, applying the deltas. The
  // pump applies commits asynchronously; Next waits for them.
  void FollowTo(Agent* agent, int64_t revision) {
    while (agent->revision < revision) {
      auto batch =
          spans_.Next(store_.get(), agent->node, agent->revision, std::chrono::milliseconds(1000));
      ASSERT_TRUE(batch.ok()) << batch.status().message();
      ASSERT_FALSE(batch->gone) << batch->gone_reason;
      for (const SpanComputer::Delta& d : batch->deltas) {
        if (d.deleted) {
          agent->keys.erase(d.object.key.ToString());
        } else {
          agent->keys.insert(d.object.key.ToString());
        }
        agent->deltas.push_back(d);
      }
      agent->revision = batch->revision;
    }
  }

  // The span computed afresh from the whole store.
  Keys Fresh(const std::string& node) {
    auto all = store_->List({});
    EXPECT_TRUE(all.ok()) << all.status().message();
    if (!all.ok()) return {};
    SpanComputer stateless;
    auto span = stateless.Span(*all, node);
    EXPECT_TRUE(span.ok()) << span.status().message();
    return span.ok() ? KeysOf(*span) : Keys{};
  }

  // What an agent holds misses nothing of its fresh span (extras are
  // allowed: the agent's engine ignores endpoints no rule names).
  void ExpectComplete(const Agent& agent) {
    for (const std::string& key : Fresh(agent.node)) {
      EXPECT_TRUE(agent.keys.count(key)) << agent.node << " misses " << key;
    }
  }

  static Keys Changed(const Agent& agent) {
    Keys keys;
    for (const SpanComputer::Delta& d : agent.deltas) {
      keys.insert((d.deleted ? "-" : "+") + d.object.key.ToString());
    }
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  SpanComputer spans_;
};

// shop: web on n1 talks to db on n2 (db's policy names web); cache on n3 is
// unrelated.
class ShopTest : public SpanComputerTest {
 protected:
  void SetUp() override {
    SpanComputerTest::SetUp();
    Put({NamespaceJson("shop"), PodJson("shop", "web", "web", "n1", "10.0.1.1"),
         PodJson("shop", "db", "db", "n2", "10.0.2.1"),
         PodJson("shop", "cache", "cache", "n3", "10.0.3.1"),
         AllowJson("shop", "db-from-web", "db", "web")});
  }
};

TEST_F(ShopTest, ASpanHoldsTheLocalPodsAndThePeersTheirRulesName) {
  Keys n2 = Join("n2").keys;
  EXPECT_TRUE(n2.count("Pod shop/db")) << "local";
  EXPECT_TRUE(n2.count("NetworkPolicy shop/db-from-web")) << "selects a local pod";
  EXPECT_TRUE(n2.count("Pod shop/web")) << "a peer of its rules";
  EXPECT_TRUE(n2.count("Namespace shop"));
  EXPECT_FALSE(n2.count("Pod shop/cache")) << "named by no rule of n2";

  Keys n3 = Join("n3").keys;
  EXPECT_TRUE(n3.count("Pod shop/cache"));
  EXPECT_FALSE(n3.count("Pod shop/db"));
  EXPECT_FALSE(n3.count("Pod shop/web"));
  EXPECT_FALSE(n3.count("NetworkPolicy shop/db-from-web")) << "selects no pod of n3";
  EXPECT_EQ(Join("n2").keys, Fresh("n2"));
}

TEST_F(ShopTest, APolicyChangeReachesOnlyTheNodesItAffects) {
  Agent n1 = Join("n1"), n2 = Join("n2"), n3 = Join("n3");
  const int64_t added = Put({AllowJson("shop", "web-from-cache", "web", "cache")});
  FollowTo(&n1, added);
  FollowTo(&n2, added);
  FollowTo(&n3, added);
  EXPECT_EQ(Changed(n1), (Keys{"+NetworkPolicy shop/web-from-cache", "+Pod shop/cache"}));
  EXPECT_TRUE(Changed(n2).empty()) << *Changed(n2).begin();
  EXPECT_TRUE(Changed(n3).empty()) << *Changed(n3).begin();
  for (const Agent* a : {&n1, &n2, &n3}) ExpectComplete(*a);
  // cache is a peer of n1 now: a new member of it reaches n1.
  const int64_t joined = Put({PodJson("shop", "cache-2", "cache", "n3", "10.0.3.2")});
  FollowTo(&n1, joined);
  EXPECT_TRUE(n1.keys.count("Pod shop/cache-2"));

  // Deleting it takes the policy, and the peer it alone named, away again.
  const int64_t removed = Delete({"NetworkPolicy", "shop", "web-from-cache"});
  FollowTo(&n1, removed);
  EXPECT_FALSE(n1.keys.count("NetworkPolicy shop/web-from-cache"));
  EXPECT_EQ(n1.keys, Fresh("n1"));
}

TEST_F(ShopTest, PodChurnWithIpReuseLeavesNoStaleOwner) {
  Agent n2 = Join("n2");
  // web goes; a pod of another app takes its address on the same node.
  Delete({"Pod", "shop", "web"});
  const int64_t reused = Put({PodJson("shop", "batch", "batch", "n1", "10.0.1.1")});
  FollowTo(&n2, reused);
  EXPECT_TRUE(Changed(n2).count("-Pod shop/web"));
  EXPECT_FALSE(n2.keys.count("Pod shop/web")) << "its address now belongs to batch";
  ExpectComplete(n2);
  // A new web pod (the peer identity) with the same address again.
  const int64_t back = Put({PodJson("shop", "web-2", "web", "n1", "10.0.1.1")});
  FollowTo(&n2, back);
  EXPECT_TRUE(n2.keys.count("Pod shop/web-2"));
  ExpectComplete(n2);
}

TEST_F(ShopTest, APodRescheduledToAnotherNodeMovesBetweenSpans) {
  Agent n1 = Join("n1"), n3 = Join("n3");
  // web is deleted on n1 and comes back, same name, on n3.
  Delete({"Pod", "shop", "web"});
  const int64_t moved = Put({PodJson("shop", "web", "web", "n3", "10.0.3.9")});
  FollowTo(&n1, moved);
  FollowTo(&n3, moved);
  EXPECT_FALSE(n1.keys.count("Pod shop/web"));
  EXPECT_TRUE(n3.keys.count("Pod shop/web")) << "now local to n3";
  ExpectComplete(n1);
  ExpectComplete(n3);
}

TEST_F(ShopTest, ANamespaceRelabelBringsThePodsItNowNames) {
  Put({NamespaceJson("front"), PodJson("front", "ui", "ui", "n1", "10.0.1.7"),
       R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"db-from-team","namespace":"shop"},"spec":{"podSelector":{"matchLabels":{"app":"db"}},"policyTypes":["Ingress"],"ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"team":"front"}}}]}]}})"});
  Agent n2 = Join("n2");
  EXPECT_FALSE(n2.keys.count("Pod front/ui"));
  const int64_t labeled = Put(
      {R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"front","labels":{"team":"front"}}})"});
  FollowTo(&n2, labeled);
  EXPECT_TRUE(n2.keys.count("Pod front/ui"));
  EXPECT_TRUE(n2.keys.count("Namespace front"));
  ExpectComplete(n2);
}

TEST_F(ShopTest, HostNetworkPodsAreTheirNode) {
  Put({NodeJson("n1", "192.168.0.1"), NodeJson("n2", "192.168.0.2"),
       PodJson("shop", "agent", "web", "n1", "192.168.0.1", /*host_network=*/true)});
  Agent n2 = Join("n2");
  // app=web names pods with their own addresses; a hostNetwork pod has its
  // node's, so db's rule does not name it.
  EXPECT_TRUE(n2.keys.count("Pod shop/web"));
  EXPECT_FALSE(n2.keys.count("Pod shop/agent"));
  // Another hostNetwork pod on n1: not a peer of n2 either.
  const int64_t added =
      Put({PodJson("shop", "agent-2", "web", "n1", "192.168.0.1", /*host_network=*/true)});
  FollowTo(&n2, added);
  EXPECT_FALSE(n2.keys.count("Pod shop/agent-2"));
  ExpectComplete(n2);
}

TEST_F(SpanComputerTest, AWorkloadIsInItsHostsSpan) {
  Put({WorkloadJson("vm-1", "billing", "h1", "192.168.10.5"),
       WorkloadJson("vm-2", "billing", "h2", "192.168.10.6")});
  Agent h1 = Join("h1");
  EXPECT_TRUE(h1.keys.count("Workload vm-1"));
  EXPECT_FALSE(h1.keys.count("Workload vm-2")) << "named by no rule of h1";
  // A new workload on h1 of the same identity is shipped; one elsewhere not.
  const int64_t added = Put({WorkloadJson("vm-3", "billing", "h1", "192.168.10.7"),
                             WorkloadJson("vm-4", "billing", "h2", "192.168.10.8")});
  FollowTo(&h1, added);
  EXPECT_TRUE(h1.keys.count("Workload vm-3"));
  ExpectComplete(h1);
  const int64_t moved = Put({WorkloadJson("vm-3", "billing", "h2", "192.168.10.7")});
  FollowTo(&h1, moved);
  ExpectComplete(h1);
}

TEST(SpanComputerStandaloneTest, KeepsStoredDocumentsOfTheSpanOnly) {
  Snapshot all;
  all.revision = 4;
  all.objects = {
      {{"Namespace", "", "shop"},
       1,
       R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})"},
      {{"Pod", "shop", "web"},
       2,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"nodeName":"n1"},"status":{"podIP":"10.0.0.1"}})"},
      {{"Pod", "shop", "far"},
       3,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"far","namespace":"shop"},"spec":{"nodeName":"n2"},"status":{"podIP":"10.0.0.2"}})"},
  };
  SpanComputer spans;
  auto span = spans.Span(all, "n1");
  ASSERT_TRUE(span.ok()) << span.status().message();
  EXPECT_EQ(span->revision, 4);
  ASSERT_EQ(span->objects.size(), 2u);
  EXPECT_EQ(span->objects[0].key.name, "shop");
  EXPECT_EQ(span->objects[1].key.name, "web");
  EXPECT_EQ(span->objects[1].json, all.objects[1].json);
  EXPECT_EQ(span->objects[1].resource_version, 2);
  // Same revision: the cached engine answers for another node.
  auto other = spans.Span(all, "n2");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->objects.size(), 2u);
  EXPECT_EQ(other->objects[1].key.name, "far");
}

// An egress rule with a named port and an ipBlock peer is satisfied by
// whatever pod inside the block declares the port: no selector names it,
// and its identity is neither local nor a peer of n1, yet n1's agent needs
// it to resolve the port.
TEST(SpanComputerStandaloneTest, StreamsANewPodThatDeclaresANamedPortOfAnIpBlockRule) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() + "/state.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto put = [&](ObjectKey key, std::string json) {
    auto committed = (*store)->Commit({{Mutation::Type::kPut, std::move(key), std::move(json)}});
    EXPECT_TRUE(committed.ok()) << committed.status().message();
    return committed.ok() ? committed->revision : int64_t{0};
  };
  put({"Namespace", "", "shop"},
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})");
  put({"Pod", "shop", "client"},
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"client","namespace":"shop","labels":{"app":"client"}},"spec":{"nodeName":"n1"},"status":{"podIP":"10.0.0.1"}})");
  // Same identity as the pod added below, without the port: not in the span.
  put({"Pod", "shop", "old"},
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"old","namespace":"shop","labels":{"app":"srv"}},"spec":{"nodeName":"n2"},"status":{"podIP":"10.0.1.1"}})");
  put({"NetworkPolicy", "shop", "out"},
      R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"out","namespace":"shop"},"spec":{"podSelector":{"matchLabels":{"app":"client"}},"policyTypes":["Egress"],"egress":[{"to":[{"ipBlock":{"cidr":"10.0.1.0/24"}}],"ports":[{"protocol":"TCP","port":"http"}]}]}})");
  SpanComputer spans;
  auto span = spans.LiveSpan(store->get(), "n1");
  ASSERT_TRUE(span.ok()) << span.status().message();
  for (const StoredObject& o : span->objects) EXPECT_NE(o.key.name, "old");
  const int64_t added = put(
      {"Pod", "shop", "srv"},
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"srv","namespace":"shop","labels":{"app":"srv"}},"spec":{"nodeName":"n2","containers":[{"name":"c","ports":[{"name":"http","containerPort":8080}]}]},"status":{"podIP":"10.0.1.2"}})");
  // The pump applies the commit asynchronously: read until it has.
  std::vector<SpanComputer::Delta> deltas;
  for (int64_t seen = span->revision; seen < added;) {
    auto batch = spans.Next(store->get(), "n1", seen, std::chrono::milliseconds(1000));
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    ASSERT_FALSE(batch->gone) << batch->gone_reason;
    deltas.insert(deltas.end(), batch->deltas.begin(), batch->deltas.end());
    seen = batch->revision;
  }
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_FALSE(deltas[0].deleted);
  EXPECT_EQ(deltas[0].object.key, (ObjectKey{"Pod", "shop", "srv"}));
}

}  // namespace
}  // namespace microseg
