// The kinds the controller serves, and the names a user may call them by.
//
// Kinds, apiVersions, scopes and kubectl-style aliases ("networkpolicies",
// "netpol", "np") come from the kind registry (model/kinds.h); names are
// resolved case-insensitively.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/kinds.h"

namespace microseg {

// A served kind is a row of the kind registry (model/kinds.h), which holds
// the aliases too.
using ApiKind = KindInfo;

// Every served kind, in the registry's order (`get all` lists them so).
inline std::span<const ApiKind> ApiKinds() { return AllKinds(); }

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
