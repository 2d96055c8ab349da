#include "model/port_match.h"

namespace microseg {

std::string PortMatch::ToString() const {
  std::string out(ProtocolName(protocol));
  out += '/';
  switch (kind) {
    case Kind::kAllPorts: return out + "*";
    case Kind::kRange:
      return start == end ? out + std::to_string(start)
                          : out + std::to_string(start) + "-" + std::to_string(end);
    case Kind::kNamed: return out + name;
  }
  return out;
}

}  // namespace microseg
