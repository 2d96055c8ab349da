// kube::ObjectSink: where kube-sync sends what it learns from the cluster.
//
// The seam between watching Kubernetes and feeding the microseg controller
// (ControllerSink) or a test (RecordingSink). Not to be confused with
// ingest's ObjectSink, which collects decoded objects during a file load.
//
// Calls are serialized by the caller (KubeSync holds one lock around every
// call), so implementations need no locking of their own for these
// methods. A call returns once the object is accepted or refused; an error
// makes the caller retry later (it relists the kind after a backoff), so
// implementations must be idempotent: applying the same object twice, or
// deleting an absent one, is fine.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "microseg/store.h"

namespace microseg::kube {

struct SyncedObject {
  ObjectKey key;
  // The object as JSON, with apiVersion and kind, cut down to the fields
  // microseg reads (kube/slim.h); it passed ParseManifests.
  std::string json;
};

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;

  // Creates or replaces the object with this key.
  virtual Status Apply(const SyncedObject& object) = 0;

  // Removes the object; absent is not an error.
  virtual Status Delete(const ObjectKey& key) = 0;

  // After the first complete list of `kind`: `present` holds every object
  // of that kind the cluster has (and Apply has been called for each). A
  // sink that may hold objects from an earlier run (a controller) drops the
  // others of that kind, so deletions made while kube-sync was down are not
  // lost. Later relists report deletions through Delete instead.
  virtual Status Resync(const std::string& kind, const std::vector<ObjectKey>& present) = 0;
};

}  // namespace microseg::kube
