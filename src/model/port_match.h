// PortMatch: one entry of a rule's port list, shared by every policy kind.
#pragma once

#include <cstdint>
#include <string>

#include "model/protocol.h"

namespace microseg {

struct PortMatch {
  enum class Kind : uint8_t {
    kAllPorts,  // protocol only (NetworkPolicyPort without port)
    kRange,     // [start, end]; a single port has start == end
    kNamed,     // a container port name, resolved against the destination
  };
  Kind kind = Kind::kAllPorts;
  Protocol protocol = Protocol::kTCP;
  uint16_t start = 0;
  uint16_t end = 0;
  std::string name;

  static PortMatch All(Protocol p) { return {Kind::kAllPorts, p, 0, 0, {}}; }
  static PortMatch Range(Protocol p, uint16_t s, uint16_t e) { return {Kind::kRange, p, s, e, {}}; }
  static PortMatch Named(Protocol p, std::string n) { return {Kind::kNamed, p, 0, 0, std::move(n)}; }

  // "TCP/80", "TCP/8000-8080", "TCP/http", "UDP/*".
  std::string ToString() const;
  bool operator==(const PortMatch&) const = default;
};

}  // namespace microseg
