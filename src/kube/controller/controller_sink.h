// ControllerSink: a kube::ObjectSink that writes to the microseg controller
// through its HTTP API (src/controller/client/api_client.h):
//   Apply   -> POST /api/v1/apply, one manifest named "kube: KIND NS/NAME"
//   Delete  -> DELETE /api/v1/objects/KIND/NAME?namespace=NS (404 is fine)
//   Resync  -> GET /api/v1/objects/KIND, then Delete for each object of that
//              kind the cluster no longer has
// kube-sync thereby owns the Kubernetes kinds in the controller: a Pod
// applied by hand is removed by the first Resync if the cluster lacks it.
//
// Thread-compatible (KubeSync serializes calls); each call opens its own
// connection.
#pragma once

#include <string>
#include <vector>

#include "controller/client/api_client.h"
#include "kube/object_sink.h"

namespace microseg::kube {

class ControllerSink : public ObjectSink {
 public:
  // `server` is the controller's URL ("https://127.0.0.1:7443"); `tls`
  // names the CA that signed its certificate.
  ControllerSink(std::string server, std::string token, microseg::ClientTls tls = {})
      : client_(std::move(server), std::move(token), std::move(tls)) {}

  Status Apply(const SyncedObject& object) override;
  Status Delete(const ObjectKey& key) override;
  Status Resync(const std::string& kind, const std::vector<ObjectKey>& present) override;

 private:
  microseg::ApiClient client_;
};

}  // namespace microseg::kube
