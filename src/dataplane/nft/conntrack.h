// Conntrack flushing for IP reuse.
//
// The table accepts `ct state established,related` before any policy
// lookup (docs/DATAPLANE.md), so a flow is classified once, when it starts.
// When an address changes owner (a pod deleted, a new pod given its IP),
// flows the kernel tracked under the old owner would go on under the new
// one's identity. Deleting their conntrack entries makes the next packet of
// such a flow a new flow again, classified by the current policy.
//
// Thread safety: Flush may be called from any thread; it acts in the
// calling thread's network namespace (it opens its netlink socket there).
#pragma once

#include <cstddef>
#include <vector>

#include "common/ip.h"
#include "common/status.h"

namespace microseg::nft {

class ConntrackFlusher {
 public:
  virtual ~ConntrackFlusher() = default;
  // Deletes every entry whose original or reply source or destination is
  // one of `ips`; returns how many were deleted. Entries that vanish in the
  // meantime are not errors.
  virtual Result<size_t> Flush(const std::vector<IpAddress>& ips) = 0;
};

// libnetfilter_conntrack over ctnetlink: one dump of the table (both
// families), filtered here, then one delete per matching entry. Owner
// changes are rare, so a dump per flush is cheap enough.
class NetlinkConntrackFlusher : public ConntrackFlusher {
 public:
  Result<size_t> Flush(const std::vector<IpAddress>& ips) override;
};

}  // namespace microseg::nft
