#include "dataplane/nft/conntrack.h"

#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

namespace microseg::nft {
namespace {

// Family and bytes: how the kernel's addresses are compared with ours.
using AddressKey = std::pair<int, std::array<uint8_t, 16>>;

AddressKey KeyOf(const IpAddress& ip) { return {ip.is_v4() ? AF_INET : AF_INET6, ip.bytes()}; }

AddressKey KeyOf(int family, const void* data) {
  AddressKey key{family, {}};
  std::memcpy(key.second.data(), data, family == AF_INET ? 4 : 16);
  return key;
}

struct DumpState {
  std::set<AddressKey> wanted;
  std::vector<nf_conntrack*> matched;  // clones, owned
};

bool Matches(const nf_conntrack* ct, const std::set<AddressKey>& wanted) {
  const int family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
  if (family == AF_INET) {
    for (auto attr : {ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV4_DST}) {
      const void* a = nfct_get_attr(ct, attr);
      if (a && wanted.count(KeyOf(AF_INET, a))) return true;
    }
  } else if (family == AF_INET6) {
    for (auto attr : {ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST, ATTR_REPL_IPV6_SRC, ATTR_REPL_IPV6_DST}) {
      const void* a = nfct_get_attr(ct, attr);
      if (a && wanted.count(KeyOf(AF_INET6, a))) return true;
    }
  }
  return false;
}

int OnEntry(enum nf_conntrack_msg_type, struct nf_conntrack* ct, void* data) {
  auto* state = static_cast<DumpState*>(data);
  if (Matches(ct, state->wanted)) {
    if (nf_conntrack* copy = nfct_clone(ct)) state->matched.push_back(copy);
  }
  return NFCT_CB_CONTINUE;
}

}  // namespace

Result<size_t> NetlinkConntrackFlusher::Flush(const std::vector<IpAddress>& ips) {
  if (ips.empty()) return size_t{0};
  std::unique_ptr<nfct_handle, int (*)(nfct_handle*)> handle(nfct_open(CONNTRACK, 0), nfct_close);
  if (!handle) return Status::Error(std::string("conntrack: cannot open ctnetlink: ") + std::strerror(errno));
  DumpState state;
  for (const IpAddress& ip : ips) state.wanted.insert(KeyOf(ip));
  nfct_callback_register(handle.get(), NFCT_T_ALL, OnEntry, &state);
  uint32_t family = AF_UNSPEC;  // both IPv4 and IPv6
  int rc = nfct_query(handle.get(), NFCT_Q_DUMP, &family);
  const int dump_errno = errno;
  nfct_callback_unregister(handle.get());
  Status result;
  if (rc < 0) result = Status::Error(std::string("conntrack: cannot list entries: ") + std::strerror(dump_errno));
  size_t deleted = 0;
  for (nf_conntrack* ct : state.matched) {
    if (result.ok()) {
      if (nfct_query(handle.get(), NFCT_Q_DESTROY, ct) == 0) {
        ++deleted;
      } else if (errno != ENOENT) {  // ENOENT: it ended meanwhile
        result = Status::Error(std::string("conntrack: cannot delete an entry: ") + std::strerror(errno));
      }
    }
    nfct_destroy(ct);
  }
  if (!result.ok()) return result;
  return deleted;
}

}  // namespace microseg::nft
