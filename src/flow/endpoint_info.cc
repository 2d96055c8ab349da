#include "flow/endpoint_info.h"

#include <functional>

namespace microseg {

std::string EndpointInfo::DisplayName() const {
  if (detail == Detail::kOther) return "other";
  if (detail == Detail::kRollup) return "~" + key;
  switch (kind) {
    case EndpointKind::kPod:
      return key;
    case EndpointKind::kWorkload:
      return "workload/" + key;
    case EndpointKind::kNode:
      return "node/" + key;
    case EndpointKind::kExternal:
      return key;
  }
  return key;
}

EndpointRef MakeEndpointInfo(EndpointInfo info) {
  size_t h = std::hash<std::string>()(info.key);
  h ^= (static_cast<size_t>(info.kind) << 4 | static_cast<size_t>(info.detail)) *
       0x9e3779b97f4a7c15ULL;
  info.hash = h;
  return std::make_shared<const EndpointInfo>(std::move(info));
}

}  // namespace microseg
