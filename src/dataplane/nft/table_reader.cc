#include "dataplane/nft/table_reader.h"

#include <netdb.h>

#include <cstdlib>

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

  // Verdicts are `goto <dir>_allow|_deny|_log` (render/nft/names.h).
  bool Verdict(const json& j, Direction d, PlanVerdict* v) {
    if (!j.is_object() || j.size() != 1 || !j.contains("goto")) return Fail("unexpected verdict " + j.dump());
    std::string target = j["goto"].value("target", "");
    if (target == AllowChain(d)) {
      *v = PlanVerdict::kAllow;
    } else if (target == DenyChain(d)) {
      *v = PlanVerdict::kDeny;
    } else if (target == LogChain(d)) {
      *v = PlanVerdict::kLogDeny;
    } else {
      return Fail("unexpected verdict " + j.dump());
    }
    return true;
  }

  // A class mark (a number; hex text tolerated) -> class id.
  bool Mark(const json& j, ClassId* id) {
    uint32_t m = 0;
    if (j.is_number_unsigned()) {
      m = j.get<uint32_t>();
    } else if (j.is_string()) {
      m = static_cast<uint32_t>(std::strtoul(j.get<std::string>().c_str(), nullptr, 0));
    } else {
      return Fail("unexpected mark " + j.dump());
    }
    if (m > kMarkClassMask) return Fail("mark out of range " + j.dump());
    *id = m;
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
  for (const json& obj : doc["nftables"]) {
    if (!obj.contains("chain")) continue;
    std::string name = obj["chain"].value("name", "");
    if (StartsWith(name, "skel_")) table.skeleton_chain = name;
  }
  for (const json& obj : doc["nftables"]) {
    const json* set = obj.contains("set") ? &obj["set"] : obj.contains("map") ? &obj["map"] : nullptr;
    if (!set) continue;
    std::string name = set->value("name", "");
    for (Direction d : {Direction::kIngress, Direction::kEgress}) {
      DirectionPlan& dp = d == Direction::kIngress ? table.ingress : table.egress;
      for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
        if (name == LocalSet(d, f)) {
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            if (p.Address(*k, &r)) dp.local.insert(r.first);
          }
        } else if (name == DefaultMap(d, f)) {
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            PlanVerdict verdict;
            if (v && p.Address(*k, &r) && p.Verdict(*v, d, &verdict)) dp.defaults[r.first] = verdict;
          }
        } else if (name == PeerMap(d, f) || name == RangeMap(d, f)) {
          bool hosts = name == PeerMap(d, f);
          for (auto [k, v] : Parser::Elements(*set)) {
            AddressRange r;
            ClassId cls = kNoneClass;
            if (!v || !p.Address(*k, &r) || !p.Mark(*v, &cls)) continue;
            dp.classes[cls];
            if (hosts) {
              dp.peer_hosts[r.first] = cls;
            } else {
              dp.peer_ranges[r] = cls;
            }
          }
        } else if (name == VerdictMapName(d, f)) {
          for (auto [k, v] : Parser::Elements(*set)) {
            if (!v || !k->is_object() || !k->contains("concat") || (*k)["concat"].size() != 4) {
              p.Fail("unexpected element in " + name + ": " + k->dump());
              continue;
            }
            const json& c = (*k)["concat"];
            ClassId cls = kNoneClass;
            AddressRange local;
            uint32_t pf, pl, sf, sl;
            PlanVerdict verdict;
            if (!p.Mark(c[0], &cls) || !p.Address(c[1], &local) || !p.Number(c[2], true, &pf, &pl) ||
                !p.Number(c[3], false, &sf, &sl) || !p.Verdict(*v, d, &verdict)) {
              continue;
            }
            dp.classes[cls].verdicts[VerdictKey{local.first, static_cast<uint8_t>(pf), static_cast<uint8_t>(pl),
                                                static_cast<uint16_t>(sf), static_cast<uint16_t>(sl)}] = verdict;
          }
        }
      }
    }
  }
  // The compiler always names the none class; a class is otherwise known by
  // its peers and verdicts.
  table.ingress.classes[kNoneClass];
  table.egress.classes[kNoneClass];
  if (!p.error.empty()) return Status::Error("nft JSON listing of table inet microseg: " + p.error);
  return table;
}

}  // namespace microseg::nft
