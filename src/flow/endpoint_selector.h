// EndpointSelector: the --from/--to of `flows`, over enriched endpoints.
//
//   ns/pod, pod/ns/pod   one pod              ns/*          every pod of ns
//   workload/NAME        one workload         node/NAME     one node
//   app=web,tier!=db     label selector (k=v, k!=v, k, !k; ANDed)
//   10.0.0.0/8, 10.0.0.1 an address block or address (any endpoint holding one)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ip.h"
#include "common/status.h"
#include "flow/endpoint_info.h"
#include "model/labels.h"

namespace microseg {

class EndpointSelector {
 public:
  static Result<EndpointSelector> Parse(std::string_view text);
  bool Matches(const EndpointInfo& e) const;
  const std::string& text() const { return text_; }
  // False only for address blocks, which match without manifests.
  bool NeedsIdentity() const { return kind_ != Kind::kCidr; }

 private:
  enum class Kind : uint8_t { kEndpoint, kNamespace, kLabels, kCidr };
  Kind kind_ = Kind::kLabels;
  std::string text_;
  EndpointKind endpoint_kind_ = EndpointKind::kPod;
  std::string name_;  // endpoint key, or namespace
  LabelSelector labels_;
  Cidr cidr_;
};

}  // namespace microseg
