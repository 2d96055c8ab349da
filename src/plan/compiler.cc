#include "plan/compiler.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "plan/port_painter.h"

namespace microseg {
namespace {

using Action = EffectiveRule::Action;

// Paint colors.
constexpr uint8_t kAllowColor = 0, kDenyColor = 1, kPassColor = 2;

std::string RuleKey(const EffectiveRule& r) {
  return r.policy_kind + "|" + r.policy + "|" + r.rule;
}

// A rule, interned once per direction however many local endpoints it applies to.
struct InternedRule {
  const EffectiveRule* rule = nullptr;
  uint32_t token = 0;               // "r:<key>" token id
  std::vector<AddressRange> ranges;  // blocks minus exceptions, normalized
};

// Named-port tokens carry the resolution they stand for.
struct NamedToken {
  uint32_t rule = 0;
  std::string name;
  Protocol protocol = Protocol::kTCP;
  std::optional<uint16_t> port;
};

using Signature = std::vector<uint32_t>;  // sorted token ids

struct SignatureHash {
  size_t operator()(const Signature& s) const noexcept {
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t t : s) h = (h ^ t) * 1099511628211ULL;
    return h;
  }
};

class DirectionCompiler {
 public:
  DirectionCompiler(const CompileInput& input, Direction direction, DirectionPlan* out)
      : input_(input), direction_(direction), out_(out) {}

  void Run() {
    SelectLocals();
    InternRules();
    CollectHostTokens();
    BuildRangeSignatures();
    AssignClasses();
  }

 private:
  const PolicyEngine::DirectionRules& RulesOf(const CompileInput::Local& l) const {
    return direction_ == Direction::kIngress ? l.ingress : l.egress;
  }

  uint32_t Token(const std::string& text) {
    auto [it, inserted] = token_ids_.try_emplace(text, static_cast<uint32_t>(tokens_.size()));
    if (inserted) tokens_.push_back(text);
    return it->second;
  }

  // Local endpoints that enforce something in this direction.
  void SelectLocals() {
    for (const CompileInput::Local& l : input_.locals) {
      const auto& dr = RulesOf(l);
      if (!l.endpoint.has_ip || !dr.enforced) continue;
      if (dr.rules.empty() && !dr.default_deny) continue;
      locals_.push_back(&l);
      out_->local.insert(l.endpoint.ip);
      out_->defaults[l.endpoint.ip] = Default(dr);
    }
  }

  static PlanVerdict DenyVerdict(Mode mode) {
    return mode == Mode::kVisibility ? PlanVerdict::kLogDeny : PlanVerdict::kDeny;
  }
  static PlanVerdict Default(const PolicyEngine::DirectionRules& dr) {
    return dr.default_deny ? DenyVerdict(dr.mode) : PlanVerdict::kAllow;
  }

  void InternRules() {
    std::unordered_map<std::string, std::vector<uint32_t>> by_key;
    for (const CompileInput::Local* l : locals_) {
      std::vector<uint32_t>& ids = local_rules_[l];
      for (const EffectiveRule& r : RulesOf(*l).rules) {
        std::string key = RuleKey(r);
        std::vector<uint32_t>& same = by_key[key];
        uint32_t id = UINT32_MAX;
        for (uint32_t candidate : same) {
          const PeerSet& p = rules_[candidate].rule->peers;
          if (p.any == r.peers.any && p.endpoints.size() == r.peers.endpoints.size() &&
              p.blocks.size() == r.peers.blocks.size() &&
              rules_[candidate].rule->ports == r.ports) {
            id = candidate;
            break;
          }
        }
        if (id == UINT32_MAX) {
          id = static_cast<uint32_t>(rules_.size());
          InternedRule ir;
          ir.rule = &r;
          // A second, different peer set under one key (should not happen)
          // still gets a name that depends on state only.
          ir.token = Token("r:" + std::string(DirectionName(direction_)) + "|" + key +
                           (same.empty() ? "" : "#" + std::to_string(same.size())));
          for (const AddressBlock& b : r.peers.blocks) {
            std::vector<AddressRange> holes;
            for (const Cidr& e : b.except) holes.push_back(AddressRange::Of(e));
            for (const AddressRange& piece : Subtract(AddressRange::Of(b.cidr), holes)) {
              ir.ranges.push_back(piece);
            }
          }
          ir.ranges = Normalize(std::move(ir.ranges));
          rules_.push_back(std::move(ir));
          same.push_back(id);
        }
        ids.push_back(id);
      }
    }
  }

  void CollectHostTokens() {
    for (uint32_t id = 0; id < rules_.size(); ++id) {
      const InternedRule& ir = rules_[id];
      const EffectiveRule& r = *ir.rule;
      // An `any` rule matches every class (see Evaluate): no token of its own.
      if (!r.peers.any) {
        for (const Endpoint& e : r.peers.endpoints) {
          if (e.has_ip) hosts_[e.ip].push_back(ir.token);
        }
      }
      if (direction_ != Direction::kEgress) continue;
      for (const PortMatch& pm : r.ports) {
        if (pm.kind != PortMatch::Kind::kNamed) continue;
        for (const Endpoint& e : r.peers.endpoints) {
          if (!e.has_ip) continue;
          std::optional<uint16_t> port;
          if (input_.resolve_named_port) port = input_.resolve_named_port(e, pm.name, pm.protocol);
          hosts_[e.ip].push_back(NamedTokenId(id, pm.name, pm.protocol, port));
        }
        AddBlockNamedPortHolders(id, pm);
      }
    }
  }

  // An "any" or block peer matches the named port on the endpoints inside
  // it that declare the port: each becomes a host carrying its resolution
  // (its class also gets the blocks' tokens, see AssignClasses).
  void AddBlockNamedPortHolders(uint32_t id, const PortMatch& pm) {
    const InternedRule& ir = rules_[id];
    if (!ir.rule->peers.any && ir.ranges.empty()) return;
    if (!input_.named_port_holders) return;
    for (const CompileInput::NamedPortHolder& h : input_.named_port_holders(pm.name, pm.protocol)) {
      if (!ir.rule->peers.any && !InRanges(ir.ranges, h.ip)) continue;
      hosts_[h.ip].push_back(NamedTokenId(id, pm.name, pm.protocol, h.port));
    }
  }

  // `ranges` sorted and disjoint (Normalize).
  static bool InRanges(const std::vector<AddressRange>& ranges, const IpAddress& ip) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), ip,
                               [](const IpAddress& a, const AddressRange& r) { return a < r.first; });
    if (it == ranges.begin()) return false;
    --it;
    return it->first.family() == ip.family() && ToValue(ip) <= ToValue(it->last);
  }

  uint32_t NamedTokenId(uint32_t rule, const std::string& name, Protocol protocol,
                        std::optional<uint16_t> port) {
    std::string text = "n:" + tokens_[rules_[rule].token].substr(2) + "|" + name + "/" +
                       std::string(ProtocolName(protocol)) + "=" +
                       (port ? std::to_string(*port) : "-");
    uint32_t id = Token(text);
    if (!named_.contains(id)) named_[id] = NamedToken{rule, name, protocol, port};
    return id;
  }

  // Elementary ranges of the address blocks of all rules, each with the
  // tokens of the rules whose blocks cover it.
  void BuildRangeSignatures() {
    struct Event {
      IpFamily family;
      AddressValue pos;
      bool open;
      uint32_t token;
    };
    std::vector<Event> events;
    for (const InternedRule& ir : rules_) {
      for (const AddressRange& r : ir.ranges) {
        IpFamily f = r.first.family();
        events.push_back({f, ToValue(r.first), true, ir.token});
        AddressValue end = ToValue(r.last);
        AddressValue max = f == IpFamily::kV4 ? AddressValue{0, 0xffffffffULL}
                                               : AddressValue{~0ULL, ~0ULL};
        if (end != max) {
          AddressValue next = end;
          if (++next.lo == 0) ++next.hi;
          events.push_back({f, next, false, ir.token});
        }
      }
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return std::tie(a.family, a.pos) < std::tie(b.family, b.pos);
    });
    std::map<uint32_t, int> active;
    for (size_t i = 0; i < events.size();) {
      IpFamily f = events[i].family;
      AddressValue pos = events[i].pos;
      for (; i < events.size() && events[i].family == f && events[i].pos == pos; ++i) {
        if (events[i].open) {
          ++active[events[i].token];
        } else if (--active[events[i].token] == 0) {
          active.erase(events[i].token);
        }
      }
      if (active.empty()) continue;
      AddressValue last = f == IpFamily::kV4 ? AddressValue{0, 0xffffffffULL}
                                              : AddressValue{~0ULL, ~0ULL};
      if (i < events.size() && events[i].family == f) {
        last = events[i].pos;
        if (last.lo-- == 0) --last.hi;
      }
      Signature sig;
      for (const auto& [t, n] : active) sig.push_back(t);
      ranges_.push_back({AddressRange{FromValue(f, pos), FromValue(f, last)}, std::move(sig)});
    }
  }

  const Signature* RangeSignatureOf(const IpAddress& ip) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), ip,
                               [](const IpAddress& a, const auto& r) { return a < r.first.first; });
    if (it == ranges_.begin()) return nullptr;
    --it;
    const AddressRange& r = it->first;
    if (r.first.family() != ip.family() || ToValue(ip) > ToValue(r.last)) return nullptr;
    return &it->second;
  }

  void AssignClasses() {
    // Hosts first: own tokens plus those of the blocks around them.
    for (auto& [ip, tokens] : hosts_) {
      if (const Signature* s = RangeSignatureOf(ip)) tokens.insert(tokens.end(), s->begin(), s->end());
      std::sort(tokens.begin(), tokens.end());
      tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
      out_->peer_hosts.emplace(ip, ClassFor(tokens));
    }
    // Ranges: merge neighbours of one class.
    const ClassId* prev_class = nullptr;
    AddressRange prev;
    for (const auto& [range, sig] : ranges_) {
      const ClassId& cls = ClassFor(sig);
      if (prev_class && *prev_class == cls && prev.last.family() == range.first.family() &&
          ToValue(FromValue(range.first.family(), Next(ToValue(prev.last)))) == ToValue(range.first)) {
        prev.last = range.last;
        continue;
      }
      if (prev_class) out_->peer_ranges.emplace(prev, *prev_class);
      prev = range;
      prev_class = &cls;
    }
    if (prev_class) out_->peer_ranges.emplace(prev, *prev_class);
    ClassFor({});  // kNoneClass always exists
  }

  static AddressValue Next(AddressValue v) {
    if (++v.lo == 0) ++v.hi;
    return v;
  }

  // The class of a signature: computed once per distinct signature.
  const ClassId& ClassFor(const Signature& sig) {
    auto it = class_of_.find(sig);
    if (it != class_of_.end()) return it->second;
    ClassId id = IdOf(sig);
    PeerClass& pc = out_->classes[id];
    used_ids_.insert(id);
    pc.verdicts.clear();
    FillVerdicts(sig, &pc);
    return class_of_.emplace(sig, id).first->second;
  }

  // A class id is a 30-bit number (it travels in the packet mark, see
  // render/nft/names.h): the FNV hash of the sorted signature, rehashed in
  // the rare case it collides with a class already named in this compile or
  // with 0 (kNoneClass).
  ClassId IdOf(const Signature& sig) const {
    if (sig.empty()) return kNoneClass;
    std::vector<const std::string*> texts;
    for (uint32_t t : sig) texts.push_back(&tokens_[t]);
    std::sort(texts.begin(), texts.end(), [](auto* a, auto* b) { return *a < *b; });
    uint64_t h = 1469598103934665603ULL;
    for (const std::string* t : texts) {
      for (char c : *t) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
      h = (h ^ 0xff) * 1099511628211ULL;
    }
    for (;;) {
      ClassId v = static_cast<uint32_t>(h ^ (h >> 32)) & kClassIdMask;
      if (v != kNoneClass && !used_ids_.contains(v)) return v;
      h = (h ^ 0x5a) * 1099511628211ULL;
    }
  }

  void FillVerdicts(const Signature& sig, PeerClass* pc) {
    for (const CompileInput::Local* l : locals_) {
      const auto& dr = RulesOf(*l);
      PortPainter final_layer = Evaluate(*l, dr, sig);
      PlanVerdict def = Default(dr);
      for (int g = 0; g < kProtocolGroups; ++g) {
        for (const PaintedSpan& s : final_layer.Spans(g)) {
          PlanVerdict v = s.color == kAllowColor ? PlanVerdict::kAllow : DenyVerdict(dr.mode);
          if (v == def) continue;
          for (auto [pf, pl] : GroupProtocolRanges(g)) {
            pc->verdicts[VerdictKey{l->endpoint.ip, pf, pl, s.first, s.last}] = v;
          }
        }
      }
    }
  }

  // First-match over the local's rules for a peer of signature `sig`.
  PortPainter Evaluate(const CompileInput::Local& l, const PolicyEngine::DirectionRules& dr,
                       const Signature& sig) {
    PortPainter admin, rest;
    const std::vector<uint32_t>& ids = local_rules_[&l];
    for (size_t i = 0; i < ids.size(); ++i) {
      const InternedRule& ir = rules_[ids[i]];
      const EffectiveRule& r = *ir.rule;
      if (!r.peers.any && !std::binary_search(sig.begin(), sig.end(), ir.token)) continue;
      uint8_t color = r.action == Action::kAllow  ? kAllowColor
                      : r.action == Action::kDeny ? kDenyColor
                                                  : kPassColor;
      PortPainter& layer = r.tier == Tier::kAdmin ? admin : rest;
      if (r.ports.empty()) {
        layer.PaintAll(color);
        continue;
      }
      for (const PortMatch& pm : r.ports) {
        int g = ProtocolGroup(pm.protocol);
        switch (pm.kind) {
          case PortMatch::Kind::kAllPorts: layer.Paint(g, 0, 65535, color); break;
          case PortMatch::Kind::kRange: layer.Paint(g, pm.start, std::max(pm.start, pm.end), color); break;
          case PortMatch::Kind::kNamed:
            if (auto port = NamedPort(l, ids[i], pm, sig)) layer.Paint(g, *port, *port, color);
            break;
        }
      }
    }
    (void)dr;
    PortPainter out;
    out.PaintFrom(admin, kPassColor);  // Pass leaves the flow to the next tiers
    out.PaintFrom(rest, kPassColor);
    return out;
  }

  std::optional<uint16_t> NamedPort(const CompileInput::Local& l, uint32_t rule, const PortMatch& pm,
                                    const Signature& sig) {
    if (direction_ == Direction::kIngress) {
      if (!input_.resolve_named_port) return std::nullopt;
      return input_.resolve_named_port(l.endpoint, pm.name, pm.protocol);
    }
    for (uint32_t t : sig) {
      auto it = named_.find(t);
      if (it != named_.end() && it->second.rule == rule && it->second.name == pm.name &&
          it->second.protocol == pm.protocol) {
        return it->second.port;
      }
    }
    return std::nullopt;  // `any` peers or blocks: nothing to resolve against
  }

  const CompileInput& input_;
  Direction direction_;
  DirectionPlan* out_;
  std::vector<const CompileInput::Local*> locals_;
  std::unordered_map<const CompileInput::Local*, std::vector<uint32_t>> local_rules_;
  std::vector<InternedRule> rules_;
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, uint32_t> token_ids_;
  std::unordered_map<uint32_t, NamedToken> named_;
  std::unordered_map<IpAddress, std::vector<uint32_t>> hosts_;
  std::vector<std::pair<AddressRange, Signature>> ranges_;  // sorted, disjoint
  std::unordered_map<Signature, ClassId, SignatureHash> class_of_;
  std::set<ClassId> used_ids_;
};

}  // namespace

CompileInput GatherInput(const PolicyEngine& engine, const std::string& node) {
  CompileInput in;
  in.node = node;
  for (Endpoint& e : engine.LocalEndpoints(node)) {
    CompileInput::Local l;
    l.ingress = engine.RulesFor(e, Direction::kIngress);
    l.egress = engine.RulesFor(e, Direction::kEgress);
    l.endpoint = std::move(e);
    in.locals.push_back(std::move(l));
  }
  in.resolve_named_port = [&engine](const Endpoint& e, const std::string& name, Protocol p) {
    return engine.ResolveNamedPort(e, name, p);
  };
  // Only rules with a named port and an any/block peer ask; the endpoint
  // list is read once per compile and each (name, protocol) resolved once.
  struct HolderIndex {
    std::optional<std::vector<Endpoint>> endpoints;
    std::map<std::pair<std::string, Protocol>, std::vector<CompileInput::NamedPortHolder>> by_name;
  };
  auto index = std::make_shared<HolderIndex>();
  in.named_port_holders = [&engine, index](const std::string& name, Protocol p) {
    auto [it, inserted] = index->by_name.try_emplace({name, p});
    if (!inserted) return it->second;
    if (!index->endpoints) index->endpoints = engine.Endpoints(/*all_kinds=*/true);
    for (const Endpoint& e : *index->endpoints) {
      if (!e.has_ip) continue;
      std::optional<uint16_t> port = engine.ResolveNamedPort(e, name, p);
      if (!port) continue;
      // Check resolves the destination address to its owner: only the
      // owner's ports count for an address.
      auto owner = engine.Resolve(e.ip.ToString());
      if (!owner.ok() || owner->kind != e.kind || owner->name != e.name) continue;
      it->second.push_back({e.ip, *port});
    }
    return it->second;
  };
  return in;
}

Plan Compile(const CompileInput& input, const PlanOptions& options) {
  Plan plan;
  plan.node = input.node;
  plan.options = options;
  std::map<std::string, PlanEndpoint> endpoints;
  for (const CompileInput::Local& l : input.locals) {
    PlanEndpoint& pe = endpoints[l.endpoint.DisplayName()];
    pe.name = l.endpoint.DisplayName();
    pe.kind = l.endpoint.kind;
    pe.mode = l.ingress.enforced ? l.ingress.mode : l.egress.mode;
    pe.ingress_enforced |= l.ingress.enforced;
    pe.egress_enforced |= l.egress.enforced;
    if (l.endpoint.has_ip) {
      pe.ips.push_back(l.endpoint.ip);
      pe.identities.push_back(l.endpoint.identity);
    }
  }
  for (auto& [name, pe] : endpoints) plan.endpoints.push_back(std::move(pe));
  DirectionCompiler(input, Direction::kIngress, &plan.ingress).Run();
  DirectionCompiler(input, Direction::kEgress, &plan.egress).Run();
  return plan;
}

}  // namespace microseg
