#include "flow/endpoint_selector.h"

namespace microseg {
namespace {

// One requirement of "app=web,tier!=db,debug,!canary".
Status ParseRequirement(std::string_view term, LabelSelector* out) {
  LabelRequirement r;
  std::string_view key = term;
  if (size_t ne = term.find("!="); ne != std::string_view::npos) {
    key = term.substr(0, ne);
    r.op = LabelRequirement::Op::kNotIn;
    r.values = {std::string(term.substr(ne + 2))};
  } else if (size_t eq = term.find('='); eq != std::string_view::npos) {
    key = term.substr(0, eq);
    std::string_view value = term.substr(eq + 1);
    if (!value.empty() && value.front() == '=') value.remove_prefix(1);  // "=="
    r.values = {std::string(value)};
  } else if (!term.empty() && term.front() == '!') {
    key = term.substr(1);
    r.op = LabelRequirement::Op::kDoesNotExist;
  } else {
    r.op = LabelRequirement::Op::kExists;
  }
  if (std::string err = ValidateLabelKey(key); !err.empty()) {
    return Status::Error("invalid label key \"" + std::string(key) + "\": " + err);
  }
  for (const std::string& v : r.values) {
    if (std::string err = ValidateLabelValue(v); !err.empty()) {
      return Status::Error("invalid label value \"" + v + "\": " + err);
    }
  }
  r.key = std::string(key);
  out->AddRequirement(std::move(r));
  return Status::Ok();
}

}  // namespace

Result<EndpointSelector> EndpointSelector::Parse(std::string_view text) {
  EndpointSelector s;
  s.text_ = std::string(text);
  if (text.empty()) return Status::Error("empty selector");
  if (auto ip = IpAddress::Parse(text)) {
    s.kind_ = Kind::kCidr;
    s.cidr_ = Cidr::Host(*ip);
    return s;
  }
  if (text.find('/') != std::string_view::npos && text.find('=') == std::string_view::npos) {
    std::string error;
    if (auto cidr = Cidr::Parse(text, &error)) {
      s.kind_ = Kind::kCidr;
      s.cidr_ = *cidr;
      return s;
    }
    std::string_view rest = text;
    s.kind_ = Kind::kEndpoint;
    if (rest.starts_with("workload/")) {
      s.endpoint_kind_ = EndpointKind::kWorkload;
      s.name_ = std::string(rest.substr(9));
    } else if (rest.starts_with("node/")) {
      s.endpoint_kind_ = EndpointKind::kNode;
      s.name_ = std::string(rest.substr(5));
    } else {
      if (rest.starts_with("pod/")) rest.remove_prefix(4);
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
          rest.find('/', slash + 1) != std::string_view::npos) {
        return Status::Error("invalid selector \"" + s.text_ +
                             "\": expected ns/pod, ns/*, workload/NAME, node/NAME, "
                             "a label selector (app=web) or a CIDR");
      }
      if (rest.substr(slash + 1) == "*") {
        s.kind_ = Kind::kNamespace;
        s.name_ = std::string(rest.substr(0, slash));
      } else {
        s.name_ = std::string(rest);
      }
    }
    if (s.name_.empty()) return Status::Error("invalid selector \"" + s.text_ + "\": empty name");
    return s;
  }
  s.kind_ = Kind::kLabels;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view term =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (Status st = ParseRequirement(term, &s.labels_); !st.ok()) {
      return Status::Error("invalid selector \"" + s.text_ + "\": " + st.message());
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return s;
}

bool EndpointSelector::Matches(const EndpointInfo& e) const {
  switch (kind_) {
    case Kind::kEndpoint:
      return e.detail == EndpointInfo::Detail::kEndpoint && e.kind == endpoint_kind_ &&
             e.key == name_;
    case Kind::kNamespace:
      return e.kind == EndpointKind::kPod && e.namespace_name == name_ &&
             e.detail != EndpointInfo::Detail::kOther;
    case Kind::kLabels:
      // External addresses and `other` have no labels to select on.
      return e.kind != EndpointKind::kExternal && e.detail != EndpointInfo::Detail::kOther &&
             labels_.Matches(e.labels);
    case Kind::kCidr:
      for (const IpAddress& ip : e.ips) {
        if (cidr_.Contains(ip)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace microseg
