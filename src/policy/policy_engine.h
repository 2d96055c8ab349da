// PolicyEngine: holds a cluster's inventory and policy and answers verdicts.
//
// This is the library behind `check`, `explain`, `matrix`, the dataplane
// compiler and the controller. It keeps:
//  - every object by key (stable addresses: node-based maps);
//  - identities: endpoints grouped by (kind, namespace, labels), so selectors
//    are evaluated once per identity, not once per pod;
//  - per identity, the policies that select it, recomputed only when a policy
//    of its namespace (or a cluster-scoped policy) changes;
//  - an IP index (exact hash for addresses, longest-prefix for blocks).
// A verdict costs a hash lookup per endpoint plus the rules of the policies
// that select the two endpoints; it never scans all policies or pods.
//
// Thread safety: none. Queries are const but fill caches; callers serialize
// all calls (the controller holds one mutex).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/ip.h"
#include "common/status.h"
#include "model/object_set.h"
#include "policy/verdict.h"

namespace microseg {

using IdentityId = uint32_t;
inline constexpr IdentityId kNoIdentity = 0xffffffff;

// A concrete party to a flow: one pod, node or workload using one of its
// IPs, or a bare external address.
struct Endpoint {
  EndpointKind kind = EndpointKind::kExternal;
  std::string name;  // "ns/pod", node name, workload name; IP text for external
  IpAddress ip;
  bool has_ip = false;
  IdentityId identity = kNoIdentity;

  // "x/a", "node/n1", "workload/db", "10.0.0.1".
  std::string DisplayName() const;
};

// An address block with holes (ipBlock, ANP networks, IPList entries).
struct AddressBlock {
  Cidr cidr;
  std::vector<Cidr> except;
};

// Everything one rule's peers match, resolved to members and blocks.
struct PeerSet {
  bool any = false;                  // every address, cluster or not
  std::vector<Endpoint> endpoints;   // matched pods/workloads/nodes, one entry per IP
  std::vector<AddressBlock> blocks;  // matched address blocks
};

// One rule as it applies to one endpoint and direction, in evaluation
// order: the dataplane compiler's input (see RulesFor).
struct EffectiveRule {
  Tier tier = Tier::kApplication;
  enum class Action : uint8_t { kAllow, kDeny, kPass } action = Action::kAllow;
  std::string policy_kind;
  std::string policy;
  std::string rule;
  PeerSet peers;
  std::vector<PortMatch> ports;  // empty: any port and protocol
};

class PolicyEngine {
 public:
  PolicyEngine();
  ~PolicyEngine();
  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;

  // Replaces the whole state with `objects` and builds every index.
  void Load(ObjectSet objects);

  // Incremental changes (create or replace by key; delete by key).
  void Upsert(Namespace ns);
  void Upsert(Pod pod);
  void Upsert(Node node);
  void Upsert(Service service);
  void Upsert(NetworkPolicy policy);
  void Upsert(AdminNetworkPolicy policy);  // baseline when policy.baseline
  void Upsert(Workload workload);
  void Upsert(IpList list);
  void Upsert(Ruleset ruleset);
  void Upsert(EnforcementMode mode);
  bool DeletePod(const std::string& ns, const std::string& name);
  bool DeleteNamespace(const std::string& name);
  bool DeleteNode(const std::string& name);
  bool DeleteService(const std::string& ns, const std::string& name);
  bool DeleteNetworkPolicy(const std::string& ns, const std::string& name);
  bool DeleteAdminNetworkPolicy(const std::string& name);
  bool DeleteBaselineAdminNetworkPolicy();
  bool DeleteWorkload(const std::string& name);
  bool DeleteIpList(const std::string& name);
  bool DeleteRuleset(const std::string& name);
  bool DeleteEnforcementMode(const std::string& name);

  // "ns/pod", "pod/ns/name", "node/NAME", "workload/NAME", or an IPv4/IPv6
  // address (resolved to its owner when it has one).
  Result<Endpoint> Resolve(std::string_view spec) const;

  Verdict Check(const Endpoint& src, const Endpoint& dst, Protocol protocol, uint16_t port,
                Trace* trace = nullptr) const;

  // Every pod that holds an IP, sorted by key ("ns/name"); with
  // `all_kinds`, then workloads and nodes.
  std::vector<Endpoint> Endpoints(bool all_kinds) const;

  // Rules that apply to `self` in `direction`, in evaluation order
  // (admin, application, baseline), plus whether the direction is isolated
  // (default deny) when no rule decides.
  struct DirectionRules {
    std::vector<EffectiveRule> rules;
    bool default_deny = false;
    bool enforced = false;  // false: unenforced endpoint, nothing to compile
    Mode mode = Mode::kEnforced;
  };
  DirectionRules RulesFor(const Endpoint& self, Direction direction) const;
  // The port a named port resolves to on `endpoint` (a pod's container port
  // or a workload's port of that name and protocol), if any.
  std::optional<uint16_t> ResolveNamedPort(const Endpoint& endpoint, const std::string& name,
                                           Protocol protocol) const;

  // Endpoints whose enforcement point is `node_name`: its pods (not
  // hostNetwork), the node itself, and workloads with `host: node_name`.
  // Each address once, with its current owner (the most recent claim,
  // index/ip_index.h): what the node enforces. `stale_claims` adds the
  // endpoints whose claim another one overrides (the span ships them, so an
  // agent has their policies when the newer claim goes away).
  std::vector<Endpoint> LocalEndpoints(const std::string& node_name, bool stale_claims = false) const;

  // The span of an enforcement point: the objects its agent needs to
  // compute RulesFor every local endpoint exactly as this engine does — its
  // local pods, workloads and node, the policies, modes and rulesets that
  // select them, every endpoint their rules' peers match (with namespaces,
  // for labels), and the services and IPLists they name. An engine loaded
  // with only the span compiles the same rules for those endpoints.
  //
  // No selector names the endpoints that satisfy an egress named port whose
  // peer is "any" or address blocks (Check resolves the port on whatever
  // owns the destination address): the span adds the pods and workloads
  // that declare the port and own an address inside the peer. `demands`,
  // when given, receives those (port, peer) pairs, for routing later
  // endpoint changes with MeetsNamedPortDemand.
  struct NamedPortDemand {
    std::string name;
    Protocol protocol = Protocol::kTCP;
    bool any = false;                  // else: inside one of `blocks`
    std::vector<AddressBlock> blocks;
  };
  ObjectSet SpanFor(const std::string& node_name,
                    std::vector<NamedPortDemand>* demands = nullptr) const;
  // Whether the pod ("ns/name") or workload `name` declares one of
  // `demands`' ports and owns an address inside that demand's peer.
  bool MeetsNamedPortDemand(EndpointKind kind, const std::string& name,
                            const std::vector<NamedPortDemand>& demands) const;

  // Incremental consumers (the agent's plan patching, the controller's
  // span stream): the stored pod by "ns/name" (null when absent), the
  // member keys of an identity (null when retired), and how many endpoints
  // claim an address.
  const Pod* FindPod(const std::string& key) const;
  const std::unordered_set<std::string>* IdentityMembers(IdentityId id) const;
  size_t AddressOwnerCount(const IpAddress& ip) const;

  struct Stats {
    size_t pods = 0, namespaces = 0, nodes = 0, workloads = 0, identities = 0,
           network_policies = 0, admin_policies = 0, rulesets = 0;
  };
  Stats stats() const;

  // Storage and indexes; defined in engine_state.h for the engine's own
  // files only (public so its internal helpers can name it).
  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace microseg
