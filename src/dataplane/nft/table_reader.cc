#include "dataplane/nft/table_reader.h"

#include <netdb.h>

#include <nlohmann/json.hpp>

#include "render/nft/names.h"

namespace microseg::nft {
namespace {

using nlohmann::json;

struct Parser {
  std::string error;

  bool Fail(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }

  bool Address(const json& j, AddressRange* out) {
    if (j.is_string()) {
      auto ip = IpAddress::Parse(j.get<std::string>());
      if (!ip) return Fail("bad address " + j.dump());
      *out = {*ip, *ip};
      return true;
    }
    if (j.is_object() && j.contains("prefix")) {
      const json& p = j["prefix"];
      auto ip = IpAddress::Parse(p.value("addr", ""));
      if (!ip) return Fail("bad prefix " + j.dump());
      *out = AddressRange::Of(Cidr(*ip, p.value("len", 0)));
      return true;
    }
    if (j.is_object() && j.contains("range") && j["range"].size() == 2) {
      AddressRange a, b;
      if (!Address(j["range"][0], &a) || !Address(j["range"][1], &b)) return false;
      *out = {a.first, b.last};
      return true;
    }
    return Fail("unexpected address element " + j.dump());
  }

  bool Number(const json& j, bool protocol, uint32_t* first, uint32_t* last) {
    if (j.is_number_unsigned()) {
      *first = *last = j.get<uint32_t>();
      return true;
    }
    if (j.is_string()) {
      std::string name = j.get<std::string>();
      if (protocol) {
        const protoent* pe = getprotobyname(name.c_str());
        if (!pe) return Fail("unknown protocol " + name);
        *first = *last = static_cast<uint32_t>(pe->p_proto);
      } else {
        const servent* se = getservbyname(name.c_str(), nullptr);
        if (!se) return Fail("unknown service " + name);
        *first = *last = ntohs(static_cast<uint16_t>(se->s_port));
      }
      return true;
    }
    if (j.is_object() && j.contains("range") && j["range"].size() == 2) {
      uint32_t a, b, c, d;
      if (!Number(j["range"][0], protocol, &a, &b) || !Number(j["range"][1], protocol, &c, &d)) return false;
      *first = a;
      *last = d;
      return true;
    }
    return Fail("unexpected number element " + j.dump());
  }

  bool Verdict(const json& j, std::string* target, PlanVerdict* v) {
    if (!j.is_object() || j.empty()) return Fail("unexpected verdict " + j.dump());
    const std::string& kind = j.begin().key();
    if (kind == "accept" || kind == "return") {
      *v = PlanVerdict::kAllow;
    } else if (kind == "drop") {
      *v = PlanVerdict::kDeny;
    } else if (kind == "goto" || kind == "jump") {
      *target = j.begin().value().value("target", "");
      *v = PlanVerdict::kLogDeny;  // for *_log targets; class targets use `target`
    } else {
      return Fail("unexpected verdict " + j.dump());
    }
    return true;
  }

  // The element list of a set or map, as (key, value-or-null) pairs.
  static std::vector<std::pair<const json*, const json*>> Elements(const json& set) {
    std::vector<std::pair<const json*, const json*>> out;
    if (!set.contains("elem")) return out;
    for (const json& e : set["elem"]) {
      const json* key = &e;
      const json* value = nullptr;
      if (e.is_array() && e.size() == 2 && set.contains("map")) {
        key = &e[0];
        value = &e[1];
      }
      // {"elem": {"val": ..}} wraps elements carrying timeouts or comments.
      if (key->is_object() && key->contains("elem")) key = &(*key)["elem"]["val"];
      out.emplace_back(key, value);
    }
    return out;
  }
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

Result<KernelTable> ParseTableJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("nftables")) {
    return Status::Error("nft JSON listing: not an nftables document");
  }
  KernelTable table;
  Parser p;
  // Class maps are read after chains so that known classes exist.
  for (const json& obj : doc["nftables"]) {
    if (!obj.contains("chain")) continue;
    std::string name = obj["chain"].value("name", "");
    if (StartsWith(name, "skel_")) table.skeleton_chain = name;
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      std::string prefix = ClassChain(d, "");
      if (StartsWith(name, prefix)) {
        DirectionPlan& dp = d == Direction::kIngress ? table.ingress : table.egress;
        dp.classes[name.substr(prefix.size())];
      }
    }
  }
  for (const json& obj : doc["nftables"]) {
    const json* set = obj.contains("set") ? &obj["set"] : obj.contains("map") ? &obj["map"] : nullptr;
    if (!set) continue;
    std::string name = set->value("name", "");
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      DirectionPlan& dp = d == Direction::kIngress ? table.ingress : table.egress;
      std::string class_prefix = ClassChain(d, "");
      for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
        if (name == LocalSet(d, f)) {
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            if (p.Address(*k, &r)) dp.local.insert(r.first);
          }
        } else if (name == DefaultMap(d, f)) {
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            std::string target;
            PlanVerdict verdict;
            if (v && p.Address(*k, &r) && p.Verdict(*v, &target, &verdict)) dp.defaults[r.first] = verdict;
          }
        } else if (name == PeerMap(d, f) || name == RangeMap(d, f)) {
          bool hosts = name == PeerMap(d, f);
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            std::string target;
            PlanVerdict verdict;
            if (!v || !p.Address(*k, &r) || !p.Verdict(*v, &target, &verdict)) continue;
            if (!StartsWith(target, class_prefix)) {
              p.Fail("peer element " + k->dump() + " of " + name + " does not point at a class");
              continue;
            }
            std::string cls = target.substr(class_prefix.size());
            if (hosts) {
              dp.peer_hosts[r.first] = cls;
            } else {
              dp.peer_ranges[r] = cls;
            }
          }
        } else if (StartsWith(name, class_prefix) && name.ends_with(FamilySuffix(f))) {
          std::string id = name.substr(class_prefix.size(),
                                       name.size() - class_prefix.size() - FamilySuffix(f).size());
          PeerClass& pc = dp.classes[id];
          for (auto [k, v] : Parser::Elements(*set)) {
            if (!v || !k->is_object() || !k->contains("concat") || (*k)["concat"].size() != 3) {
              p.Fail("unexpected element in " + name + ": " + k->dump());
              continue;
            }
            const json& c = (*k)["concat"];
            AddressRange local;
            uint32_t pf, pl, sf, sl;
            std::string target;
            PlanVerdict verdict;
            if (!p.Address(c[0], &local) || !p.Number(c[1], true, &pf, &pl) ||
                !p.Number(c[2], false, &sf, &sl) || !p.Verdict(*v, &target, &verdict)) {
              continue;
            }
            pc.verdicts[VerdictKey{local.first, static_cast<uint8_t>(pf), static_cast<uint8_t>(pl),
                                   static_cast<uint16_t>(sf), static_cast<uint16_t>(sl)}] = verdict;
          }
        }
      }
    }
  }
  if (!p.error.empty()) return Status::Error("nft JSON listing of table inet microseg: " + p.error);
  return table;
}

}  // namespace microseg::nft
