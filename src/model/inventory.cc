#include "model/inventory.h"

namespace microseg {

bool IpList::Contains(const IpAddress& ip) const {
  for (const Cidr& e : except) {
    if (e.Contains(ip)) return false;
  }
  for (const Cidr& c : cidrs) {
    if (c.Contains(ip)) return true;
  }
  return false;
}

}  // namespace microseg
