// The kinds the controller serves, and the names a user may call them by.
//
// Kinds, apiVersions and scopes come from ingest's table (ingest/kinds.h);
// this adds kubectl-style aliases: "networkpolicies", "netpol", "np",
// case-insensitive.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace microseg {

struct ApiKind {
  std::string_view kind;         // "NetworkPolicy"
  std::string_view api_version;  // "networking.k8s.io/v1"
  bool namespaced;
  std::vector<std::string_view> aliases;  // lower case: plural first, then short names
};

// Every served kind, in the order `get all` lists them.
const std::vector<ApiKind>& ApiKinds();

// By kind or alias, ignoring case; nullptr when unknown.
const ApiKind* ResolveKind(std::string_view name);

// "Namespace, Pod, ...": for "unknown kind" messages.
std::string KindList();

// Whether `name` may be a metadata.name or namespace in a key or URL: 1 to
// 253 characters of [a-z0-9.-]. Validation proper is the decoders' job;
// this only keeps keys and paths well-formed for requests that are not
// decoded (get, delete).
bool IsValidObjectName(std::string_view name);

}  // namespace microseg
