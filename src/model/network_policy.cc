#include "model/network_policy.h"

namespace microseg {

bool IpBlock::Contains(const IpAddress& ip) const {
  if (!cidr.Contains(ip)) return false;
  for (const Cidr& e : except) {
    if (e.Contains(ip)) return false;
  }
  return true;
}

}  // namespace microseg
