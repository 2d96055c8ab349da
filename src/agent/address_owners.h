// Address owners: which object holds each address, so the agent can tell
// when an address changed hands (IP reuse) and flush its conntrack entries
// (dataplane/nft/conntrack.h).
//
// The owner of a pod's IP is the pod's UID (ingest synthesizes one from
// namespace/name when the manifest has none), so a pod deleted and
// recreated under the same name by Kubernetes, which gives it a new UID,
// is a new owner. Workloads and Nodes are owned by name. hostNetwork pods
// hold the node's address, not one of their own, and are left out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/ip.h"
#include "model/object_set.h"
#include "plan/plan.h"

namespace microseg {

// address -> "pod UID" | "workload NAME" | "node NAME". Two objects
// claiming one address: the most recent claim, as IpIndex (and so the
// plan and Check) decides it (index/ip_index.h).
using AddressOwners = std::map<IpAddress, std::string>;
AddressOwners OwnersOf(const ObjectSet& objects);

// Addresses that appeared, disappeared or changed owner from `before` to
// `after`, sorted. Each of them may carry flows that the kernel tracked
// under an identity the address no longer has.
std::vector<IpAddress> OwnerChanges(const AddressOwners& before, const AddressOwners& after);

// After a restart the agent knows no earlier owners, but the kernel kept
// the table it enforced: `kernel` is that table read back, `wanted` the
// plan about to replace it. Returns, sorted, every address whose rights
// differ between the two: a local address whose default or verdicts (for
// peer classes both tables have) changed or that stopped or started being
// enforced, a peer address whose class changed. An address that changed owner while the agent was down
// and got other rights is among them (so are addresses whose rights a
// policy change moved: flushing those is merely conservative).
std::vector<IpAddress> RightsChanges(const Plan& kernel, const Plan& wanted);

}  // namespace microseg
