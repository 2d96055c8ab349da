#include "bench/cluster_generator.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

namespace microseg::bench {

namespace {

using Json = nlohmann::ordered_json;  // keeps kubectl's key order: easier to read

// SplitMix64: tiny, fast, and the same sequence on every standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }  // n > 0
  // Kubernetes' name suffix alphabet (no vowels, no ambiguous characters).
  std::string Suffix(size_t length) {
    static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    std::string out(length, ' ');
    for (char& c : out) c = kAlphabet[Below(sizeof(kAlphabet) - 1)];
    return out;
  }
  std::string Uid() {
    char buf[40];
    uint64_t a = Next(), b = Next();
    std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | (b >> 48 & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
  }

 private:
  uint64_t state_;
};

struct PortDef {
  const char* name;
  int port;
  const char* protocol;
};

// What a Deployment of each application looks like.
struct AppKind {
  const char* app;
  const char* tier;
  std::vector<PortDef> ports;
};

const std::vector<AppKind>& Catalog() {
  static const std::vector<AppKind> kCatalog = {
      {"frontend", "web", {{"http", 8080, "TCP"}, {"metrics", 9090, "TCP"}}},
      {"web", "web", {{"http", 8080, "TCP"}, {"https", 8443, "TCP"}}},
      {"api", "backend", {{"http", 8080, "TCP"}, {"grpc", 9000, "TCP"}, {"metrics", 9090, "TCP"}}},
      {"auth", "backend", {{"http", 8080, "TCP"}, {"grpc", 9000, "TCP"}}},
      {"cart", "backend", {{"http", 8080, "TCP"}, {"metrics", 9090, "TCP"}}},
      {"catalog", "backend", {{"grpc", 9000, "TCP"}, {"metrics", 9090, "TCP"}}},
      {"search", "backend", {{"http", 8080, "TCP"}, {"grpc", 9000, "TCP"}}},
      {"payments", "backend", {{"https", 8443, "TCP"}, {"metrics", 9090, "TCP"}}},
      {"worker", "backend", {{"metrics", 9090, "TCP"}}},
      {"postgres", "data", {{"db", 5432, "TCP"}, {"metrics", 9187, "TCP"}}},
      {"redis", "data", {{"redis", 6379, "TCP"}, {"metrics", 9121, "TCP"}}},
      {"kafka", "data", {{"kafka", 9092, "TCP"}, {"metrics", 9308, "TCP"}}},
  };
  return kCatalog;
}

struct Deployment {
  size_t ns = 0;
  std::string name;  // pod name prefix
  std::string app;   // "" for system apps selected by other labels
  std::string hash;  // pod-template-hash
  std::string version;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<PortDef> ports;
  size_t replicas = 0;
};

struct NamespaceDef {
  std::string name;
  std::string team;
  std::string env;
  std::vector<size_t> deployments;  // indexes into Cluster::deployments
};

struct Cluster {
  std::vector<NamespaceDef> namespaces;
  std::vector<Deployment> deployments;
  size_t teams = 1;
};

#define MSB_RETURN_IF_ERROR(expr)                \
  do {                                           \
    if (Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

constexpr size_t kKubeSystem = 0, kMonitoring = 1, kIngress = 2;

std::string Numbered(const char* prefix, size_t i, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%0*zu", prefix, width, i);
  return buf;
}

std::string TeamName(size_t t) { return Numbered("team-", t, 2); }

// A share of `total` for slot `i` of `n`: equal parts, the first
// `total % n` slots one larger.
size_t Share(size_t total, size_t n, size_t i) { return total / n + (i < total % n ? 1 : 0); }

Deployment SystemDeployment(size_t ns, const char* name,
                            std::vector<std::pair<std::string, std::string>> labels,
                            std::vector<PortDef> ports, size_t replicas, Rng& rng) {
  Deployment d;
  d.ns = ns;
  d.name = name;
  d.labels = std::move(labels);
  d.hash = rng.Suffix(10);
  d.version = "1.0";
  d.labels.emplace_back("pod-template-hash", d.hash);
  d.ports = std::move(ports);
  d.replicas = replicas;
  for (const auto& [k, v] : d.labels) {
    if (k == "app") d.app = v;
  }
  return d;
}

Cluster BuildCluster(const ClusterSpec& spec, Rng& rng) {
  Cluster c;
  c.teams = std::max<size_t>(1, spec.namespaces / 20);
  for (size_t i = 0; i < spec.namespaces; ++i) {
    NamespaceDef ns;
    if (i == kKubeSystem || i == kMonitoring || i == kIngress) {
      ns.name = i == kKubeSystem   ? "kube-system"
                : i == kMonitoring ? "monitoring"
                                   : "ingress-nginx";
      ns.team = "platform";
      ns.env = "prod";
    } else {
      ns.name = Numbered("ns-", i, 4);
      ns.team = TeamName(rng.Below(c.teams));
      size_t roll = rng.Below(10);
      ns.env = roll < 4 ? "prod" : roll < 7 ? "staging" : "dev";
    }
    c.namespaces.push_back(std::move(ns));
  }

  for (size_t i = 0; i < spec.namespaces; ++i) {
    size_t budget = Share(spec.pods, spec.namespaces, i);
    std::vector<Deployment> ds;
    auto add_system = [&](Deployment d) {
      d.replicas = std::min(d.replicas, budget);
      budget -= d.replicas;
      if (d.replicas > 0) ds.push_back(std::move(d));
    };
    if (i == kKubeSystem) {
      add_system(SystemDeployment(
          i, "coredns", {{"k8s-app", "kube-dns"}},
          {{"dns", 53, "UDP"}, {"dns-tcp", 53, "TCP"}, {"metrics", 9153, "TCP"}}, 2, rng));
    } else if (i == kMonitoring) {
      add_system(SystemDeployment(i, "prometheus", {{"app", "prometheus"}, {"tier", "monitoring"}},
                                  {{"web", 9090, "TCP"}}, 2, rng));
    } else if (i == kIngress) {
      add_system(SystemDeployment(
          i, "ingress-nginx-controller",
          {{"app", "ingress-nginx"}, {"app.kubernetes.io/name", "ingress-nginx"}, {"tier", "web"}},
          {{"http", 80, "TCP"}, {"https", 443, "TCP"}, {"metrics", 10254, "TCP"}}, 3, rng));
    }
    // Applications fill the rest; names cycle through the catalog from a
    // random start, with "-2", "-3".. once it is used up.
    size_t offset = rng.Below(Catalog().size());
    for (size_t k = 0; budget > 0; ++k) {
      const AppKind& kind = Catalog()[(offset + k) % Catalog().size()];
      size_t round = k / Catalog().size();
      Deployment d;
      d.ns = i;
      d.app = round == 0 ? kind.app : std::string(kind.app) + "-" + std::to_string(round + 1);
      d.name = d.app;
      d.hash = rng.Suffix(10);
      d.version = "v" + std::to_string(1 + rng.Below(5));
      d.labels = {{"app", d.app},
                  {"pod-template-hash", d.hash},
                  {"tier", kind.tier},
                  {"version", d.version}};
      d.ports = kind.ports;
      d.replicas = std::min(budget, 1 + rng.Below(spec.max_replicas));
      budget -= d.replicas;
      ds.push_back(std::move(d));
    }
    for (Deployment& d : ds) {
      c.namespaces[i].deployments.push_back(c.deployments.size());
      c.deployments.push_back(std::move(d));
    }
  }
  return c;
}

// ---- JSON helpers ----

Json Labels(const std::vector<std::pair<std::string, std::string>>& labels) {
  Json out = Json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

Json MatchLabels(const std::string& key, const std::string& value) {
  return {{"matchLabels", {{key, value}}}};
}

Json NamespaceIs(const std::string& name) {
  return MatchLabels("kubernetes.io/metadata.name", name);
}

std::string Ipv4(uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

constexpr uint32_t kPodNet = 10u << 24;                    // 10.0.0.0/8, a /24 per node
constexpr uint32_t kNodeNet = (172u << 24) | (16u << 16);  // 172.16.0.0/12
constexpr size_t kPodsPerNode = 253;                       // .2 .. .254

std::string NodeName(size_t i) { return Numbered("node-", i, 5); }

Status WriteList(const std::string& dir, const std::string& file, Json items, int indent,
                 ClusterSummary* summary) {
  Json list = {{"apiVersion", "v1"},
               {"kind", "List"},
               {"metadata", {{"resourceVersion", ""}}},
               {"items", std::move(items)}};
  std::string text = list.dump(indent);
  text += '\n';
  std::string path = (std::filesystem::path(dir) / file).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::Error(path + ": write failed");
  summary->files.push_back(path);
  summary->bytes += text.size();
  return Status::Ok();
}

Json NamespaceJson(const NamespaceDef& ns) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata",
           {{"name", ns.name},
            {"labels",
             {{"env", ns.env}, {"kubernetes.io/metadata.name", ns.name}, {"team", ns.team}}}}}};
}

Json NodeJson(size_t i) {
  std::string name = NodeName(i);
  static constexpr const char* kZones[] = {"zone-a", "zone-b", "zone-c"};
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"labels",
             {{"kubernetes.io/hostname", name},
              {"kubernetes.io/os", "linux"},
              {"node-role.kubernetes.io/worker", ""},
              {"topology.kubernetes.io/zone", kZones[i % 3]}}}}},
          {"spec", {{"podCIDR", Ipv4(kPodNet + static_cast<uint32_t>(i << 8)) + "/24"}}},
          {"status",
           {{"addresses",
             {{{"type", "InternalIP"}, {"address", Ipv4(kNodeNet + static_cast<uint32_t>(i) + 1)}},
              {{"type", "Hostname"}, {"address", name}}}}}}};
}

Json PodJson(const Cluster& c, const Deployment& d, const std::string& name, const std::string& uid,
             size_t node, const std::string& ip) {
  Json ports = Json::array();
  for (const PortDef& p : d.ports) {
    ports.push_back({{"name", p.name}, {"containerPort", p.port}, {"protocol", p.protocol}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", c.namespaces[d.ns].name},
            {"uid", uid},
            {"labels", Labels(d.labels)}}},
          {"spec",
           {{"nodeName", NodeName(node)},
            {"containers",
             {{{"name", d.name},
               {"image", "registry.example.com/" + d.name + ":" + d.version},
               {"ports", std::move(ports)}}}}}},
          {"status",
           {{"phase", "Running"},
            {"hostIP", Ipv4(kNodeNet + static_cast<uint32_t>(node) + 1)},
            {"podIP", ip},
            {"podIPs", {{{"ip", ip}}}}}}};
}

// ---- NetworkPolicies ----

// The app label of a random application Deployment of `ns` ("frontend"
// when it has none: the selector then selects nothing, as happens).
std::string RandomApp(const Cluster& c, const NamespaceDef& ns, Rng& rng) {
  std::vector<const std::string*> apps;
  for (size_t d : ns.deployments) {
    if (!c.deployments[d].app.empty()) apps.push_back(&c.deployments[d].app);
  }
  return apps.empty() ? "frontend" : *apps[rng.Below(apps.size())];
}

Json Port(int port, const char* protocol = "TCP") {
  return {{"protocol", protocol}, {"port", port}};
}
Json NamedPort(const char* name) { return {{"protocol", "TCP"}, {"port", name}}; }

Json NetworkPolicyJson(const Cluster& c, const NamespaceDef& ns, size_t index, Rng& rng) {
  static constexpr const char* kShapes[] = {
      "default-deny",   "allow-dns",        "allow-same-app", "allow-from-team",  "allow-web-tier",
      "allow-external", "allow-node-ports", "allow-to-data",  "allow-monitoring", "allow-same-ns"};
  size_t shape = index % std::size(kShapes);
  Json spec;
  Json types = Json::array();
  switch (shape) {
    case 0:  // default deny, both directions
      spec["podSelector"] = Json::object();
      types = {"Ingress", "Egress"};
      break;
    case 1:  // DNS egress to CoreDNS in kube-system
      spec["podSelector"] = Json::object();
      spec["egress"] = {{{"to",
                          {{{"namespaceSelector", NamespaceIs("kube-system")},
                            {"podSelector", MatchLabels("k8s-app", "kube-dns")}}}},
                         {"ports", {Port(53, "UDP"), Port(53, "TCP")}}}};
      types = {"Egress"};
      break;
    case 2: {  // one app from another of the same namespace, named port
      spec["podSelector"] = MatchLabels("app", RandomApp(c, ns, rng));
      spec["ingress"] = {{{"from", {{{"podSelector", MatchLabels("app", RandomApp(c, ns, rng))}}}},
                          {"ports", {NamedPort("http"), NamedPort("grpc")}}}};
      types = {"Ingress"};
      break;
    }
    case 3: {  // from every namespace of a team (or from the ingress controller)
      spec["podSelector"] = MatchLabels("app", RandomApp(c, ns, rng));
      Json from =
          (index / std::size(kShapes)) % 2 == 0
              ? Json{{"namespaceSelector", MatchLabels("team", TeamName(rng.Below(c.teams)))}}
              : Json{{"namespaceSelector", NamespaceIs("ingress-nginx")},
                     {"podSelector", MatchLabels("app.kubernetes.io/name", "ingress-nginx")}};
      spec["ingress"] = {{{"from", {from}}, {"ports", {Port(8080)}}}};
      break;
    }
    case 4:  // namespaceSelector AND podSelector in one peer
      spec["podSelector"] = MatchLabels("tier", "backend");
      spec["ingress"] = {{{"from",
                           {{{"namespaceSelector", MatchLabels("env", ns.env)},
                             {"podSelector", MatchLabels("tier", "web")}}}},
                          {"ports", {Port(8443), NamedPort("grpc")}}}};
      break;
    case 5:  // public ingress and internet egress: ipBlock with except
      spec["podSelector"] = MatchLabels("tier", "web");
      spec["ingress"] = {
          {{"from",
            {{{"ipBlock", {{"cidr", "0.0.0.0/0"}, {"except", {"10.0.0.0/8", "172.16.0.0/12"}}}}}}},
           {"ports", {Port(443), Port(8443)}}}};
      spec["egress"] = {
          {{"to",
            {{{"ipBlock",
               {{"cidr", "0.0.0.0/0"}, {"except", {"10.0.0.0/8", "169.254.169.254/32"}}}}}}},
           {"ports", {Port(443)}}}};
      types = {"Ingress", "Egress"};
      break;
    case 6:  // port ranges, matchExpressions
      spec["podSelector"] = {
          {"matchExpressions",
           {{{"key", "tier"}, {"operator", "In"}, {"values", {"backend", "web"}}}}}};
      spec["ingress"] = {{{"from", {{{"podSelector", Json::object()}}}},
                          {"ports",
                           {{{"protocol", "TCP"}, {"port", 30000}, {"endPort", 32767}},
                            {{"protocol", "UDP"}, {"port", 5000}, {"endPort", 5100}}}}}};
      break;
    case 7:  // backends to the data tier, by named port
      spec["podSelector"] = MatchLabels("tier", "backend");
      spec["egress"] = {{{"to", {{{"podSelector", MatchLabels("tier", "data")}}}},
                         {"ports", {NamedPort("db"), NamedPort("redis"), Port(9092)}}}};
      types = {"Egress"};
      break;
    case 8:  // Prometheus scrapes everything
      spec["podSelector"] = {{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}}}}};
      spec["ingress"] = {{{"from",
                           {{{"namespaceSelector", NamespaceIs("monitoring")},
                             {"podSelector", MatchLabels("app", "prometheus")}}}},
                          {"ports", {NamedPort("metrics")}}}};
      break;
    default:  // the whole namespace talks to itself
      spec["podSelector"] = Json::object();
      spec["ingress"] = {{{"from", {{{"podSelector", Json::object()}}}}}};
      spec["egress"] = {{{"to", {{{"podSelector", Json::object()}}}}}};
      types = {"Ingress", "Egress"};
      break;
  }
  if (!types.empty()) spec["policyTypes"] = std::move(types);
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata",
           {{"name", Numbered("np-", index, 2) + "-" + kShapes[shape]}, {"namespace", ns.name}}},
          {"spec", std::move(spec)}};
}

// ---- AdminNetworkPolicies ----

Json Namespaces(Json selector) { return {{"namespaces", std::move(selector)}}; }
Json Pods(Json ns_selector, Json pod_selector) {
  return {
      {"pods",
       {{"namespaceSelector", std::move(ns_selector)}, {"podSelector", std::move(pod_selector)}}}};
}
Json AnpRule(const char* name, const char* action, const char* peers_key, Json peers,
             Json ports = nullptr) {
  Json rule = {{"name", name}, {"action", action}, {peers_key, std::move(peers)}};
  if (!ports.is_null()) rule["ports"] = std::move(ports);
  return rule;
}

Json AdminNetworkPolicyJson(const Cluster& c, size_t index, Rng& rng) {
  static constexpr const char* kShapes[] = {"deny-dev-to-prod", "allow-monitoring",  "team-data",
                                            "team-egress",      "staging-isolation", "team-pods"};
  size_t shape = index % std::size(kShapes);
  std::string team = TeamName(rng.Below(c.teams));
  Json team_ns = MatchLabels("team", team);
  Json spec = {{"priority", index + 1}};
  switch (shape) {
    case 0:
      spec["subject"] = Namespaces(MatchLabels("env", "prod"));
      spec["ingress"] = {
          AnpRule("deny-from-dev", "Deny", "from", {Namespaces(MatchLabels("env", "dev"))})};
      break;
    case 1:
      spec["subject"] = Namespaces(team_ns);
      spec["ingress"] = {
          AnpRule("allow-prometheus", "Allow", "from",
                  {Pods(NamespaceIs("monitoring"), MatchLabels("app", "prometheus"))},
                  {{{"namedPort", "metrics"}}})};
      break;
    case 2:  // a team's data tier: the team decides (Pass), everybody else is denied
      spec["subject"] = Pods(team_ns, MatchLabels("tier", "data"));
      spec["ingress"] = {
          AnpRule("pass-same-team", "Pass", "from", {Namespaces(team_ns)}),
          AnpRule("deny-db-ports", "Deny", "from", {Namespaces(Json::object())},
                  {{{"portNumber", {{"protocol", "TCP"}, {"port", 5432}}}},
                   {{"portRange", {{"protocol", "TCP"}, {"start", 6379}, {"end", 9092}}}}})};
      break;
    case 3:
      spec["subject"] = Namespaces(team_ns);
      spec["egress"] = {
          AnpRule("deny-metadata", "Deny", "to", {{{"networks", {"169.254.169.254/32"}}}}),
          AnpRule("allow-kubelet", "Allow", "to",
                  {{{"nodes", MatchLabels("node-role.kubernetes.io/worker", "")}}},
                  {{{"portNumber", {{"protocol", "TCP"}, {"port", 10250}}}}})};
      break;
    case 4:
      spec["subject"] = Namespaces(MatchLabels("env", "staging"));
      spec["egress"] = {
          AnpRule("pass-staging", "Pass", "to", {Namespaces(MatchLabels("env", "staging"))}),
          AnpRule("deny-prod", "Deny", "to", {Namespaces(MatchLabels("env", "prod"))})};
      break;
    default:
      spec["subject"] = Pods(team_ns, MatchLabels("tier", "web"));
      spec["ingress"] = {
          AnpRule("allow-ingress-controller", "Allow", "from",
                  {Pods(NamespaceIs("ingress-nginx"),
                        MatchLabels("app.kubernetes.io/name", "ingress-nginx"))},
                  {{{"portRange", {{"protocol", "TCP"}, {"start", 8080}, {"end", 8443}}}}})};
      spec["egress"] = {AnpRule("allow-internet", "Allow", "to",
                                {{{"networks", {"0.0.0.0/1", "128.0.0.0/1"}}}},
                                {{{"portNumber", {{"protocol", "TCP"}, {"port", 443}}}}})};
      break;
  }
  return {{"apiVersion", "policy.networking.k8s.io/v1alpha1"},
          {"kind", "AdminNetworkPolicy"},
          {"metadata", {{"name", Numbered("anp-", index + 1, 3) + "-" + kShapes[shape]}}},
          {"spec", std::move(spec)}};
}

Status CheckSpec(const ClusterSpec& spec) {
  if (spec.namespaces < 3) return Status::Error("need at least 3 namespaces");
  if (spec.nodes == 0 || spec.nodes > 65536) return Status::Error("nodes must be in 1..65536");
  if (spec.pods > spec.nodes * kPodsPerNode) {
    return Status::Error("too many pods: at most " + std::to_string(kPodsPerNode) + " per node");
  }
  if (spec.admin_network_policies > 1000) return Status::Error("at most 1000 AdminNetworkPolicies");
  if (spec.max_replicas == 0) return Status::Error("max_replicas must be at least 1");
  if (spec.pods_per_file == 0) return Status::Error("pods_per_file must be at least 1");
  return Status::Ok();
}

}  // namespace

ClusterSpec ClusterSpec::ForPods(size_t pods) {
  ClusterSpec spec;
  spec.pods = pods;
  spec.namespaces = std::max<size_t>(3, pods / 100);
  spec.nodes = std::max<size_t>(1, pods / 20);
  spec.network_policies = pods / 10;
  spec.admin_network_policies = 100;
  return spec;
}

Result<ClusterSummary> WriteCluster(const ClusterSpec& spec, const std::string& dir) {
  MSB_RETURN_IF_ERROR(CheckSpec(spec));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Error(dir + ": " + ec.message());

  Rng rng(spec.seed);
  Cluster c = BuildCluster(spec, rng);
  ClusterSummary summary;
  summary.deployments = c.deployments.size();

  Json items = Json::array();
  for (const NamespaceDef& ns : c.namespaces) items.push_back(NamespaceJson(ns));
  summary.namespaces = items.size();
  MSB_RETURN_IF_ERROR(WriteList(dir, "namespaces.json", std::move(items), spec.indent, &summary));

  items = Json::array();
  for (size_t i = 0; i < spec.nodes; ++i) items.push_back(NodeJson(i));
  summary.nodes = items.size();
  MSB_RETURN_IF_ERROR(WriteList(dir, "nodes.json", std::move(items), spec.indent, &summary));

  // Pods: each lands on a random node with room; IPs are handed out in
  // order from the node's /24, so they are unique.
  std::vector<uint8_t> used(spec.nodes, 0);
  items = Json::array();
  size_t file = 0;
  for (const Deployment& d : c.deployments) {
    std::unordered_set<std::string> names;
    for (size_t r = 0; r < d.replicas; ++r) {
      std::string name;
      do {
        name = d.name + "-" + d.hash + "-" + rng.Suffix(5);
      } while (!names.insert(name).second);
      size_t node = rng.Below(spec.nodes);
      while (used[node] == kPodsPerNode) node = (node + 1) % spec.nodes;
      uint32_t ip = kPodNet + static_cast<uint32_t>(node << 8) + 2 + used[node]++;
      items.push_back(PodJson(c, d, name, rng.Uid(), node, Ipv4(ip)));
      ++summary.pods;
      if (items.size() == spec.pods_per_file) {
        MSB_RETURN_IF_ERROR(WriteList(dir, Numbered("pods-", file++, 3) + ".json", std::move(items),
                                      spec.indent, &summary));
        items = Json::array();
      }
    }
  }
  if (!items.empty() || file == 0) {
    MSB_RETURN_IF_ERROR(WriteList(dir, Numbered("pods-", file, 3) + ".json", std::move(items),
                                  spec.indent, &summary));
  }

  items = Json::array();
  for (size_t i = 0; i < spec.namespaces; ++i) {
    size_t count = Share(spec.network_policies, spec.namespaces, i);
    for (size_t k = 0; k < count; ++k)
      items.push_back(NetworkPolicyJson(c, c.namespaces[i], k, rng));
  }
  summary.network_policies = items.size();
  MSB_RETURN_IF_ERROR(
      WriteList(dir, "network-policies.json", std::move(items), spec.indent, &summary));

  items = Json::array();
  for (size_t i = 0; i < spec.admin_network_policies; ++i)
    items.push_back(AdminNetworkPolicyJson(c, i, rng));
  summary.admin_network_policies = items.size();
  MSB_RETURN_IF_ERROR(
      WriteList(dir, "admin-network-policies.json", std::move(items), spec.indent, &summary));
  return summary;
}

}  // namespace microseg::bench
#undef MSB_RETURN_IF_ERROR
