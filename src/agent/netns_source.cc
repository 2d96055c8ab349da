#include "agent/netns_source.h"

#include <utility>

#include "netns/netns.h"

namespace microseg {

PolicySource LoadingFromNetns(PolicySource inner, int netns_fd) {
  PolicySource out = inner;
  out.load = [load = std::move(inner.load), netns_fd]() -> Result<ObjectSet> {
    ScopedNetns there(netns_fd);
    if (!there.status().ok()) return there.status();
    return load();
  };
  return out;
}

}  // namespace microseg
