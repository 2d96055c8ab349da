// One decoder per supported kind: a document (already known to be a map of
// that kind and apiVersion) to a model value.
//
// Errors are "FIELD.PATH: message"; the loader prefixes file, document and
// object. Decoders check what the API server would reject, apply its
// defaults, and ignore fields that policy does not depend on.
#pragma once

#include "common/status.h"
#include "ingest/field.h"
#include "model/admin_network_policy.h"
#include "model/inventory.h"
#include "model/network_policy.h"
#include "model/ruleset.h"

namespace microseg {

// decode_kubernetes.cc (v1)
Status DecodeNamespace(const Field& doc, Namespace* ns);
Status DecodePod(const Field& doc, Pod* pod);
Status DecodeNode(const Field& doc, Node* node);
Status DecodeService(const Field& doc, Service* service);

// decode_network_policy.cc (networking.k8s.io/v1)
Status DecodeNetworkPolicy(const Field& doc, NetworkPolicy* policy);

// decode_admin_network_policy.cc (policy.networking.k8s.io/v1alpha1);
// `baseline` selects BaselineAdminNetworkPolicy rules.
Status DecodeAdminNetworkPolicy(const Field& doc, bool baseline, AdminNetworkPolicy* policy);

// decode_native.cc (microseg.io/v1alpha1)
Status DecodeWorkload(const Field& doc, Workload* workload);
Status DecodeIpList(const Field& doc, IpList* list);
Status DecodeRuleset(const Field& doc, Ruleset* ruleset);
Status DecodeEnforcementMode(const Field& doc, EnforcementMode* mode);

}  // namespace microseg
