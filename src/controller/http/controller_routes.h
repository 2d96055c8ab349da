// Every route of the controller (controller.h lists them), assembled from
// each area's rows: the one table the server and the authorizer read.
#pragma once

#include <atomic>

#include "controller/http/route_table.h"
#include "microseg/store.h"

namespace microseg {

class AgentRegistry;
class FlowService;
class SpanComputer;
namespace pki {
class CertificateAuthority;
class JoinTokenStore;
}  // namespace pki

// What the handlers serve from; all outlive the server. `ca` and
// `join_tokens` are null on plain HTTP.
struct ControllerServices {
  Store* store = nullptr;
  const std::atomic<bool>* stopping = nullptr;
  SpanComputer* spans = nullptr;
  AgentRegistry* agents = nullptr;
  FlowService* flows = nullptr;
  const pki::CertificateAuthority* ca = nullptr;
  pki::JoinTokenStore* join_tokens = nullptr;
  int agent_cert_days = 365;
};

RouteTable ControllerRoutes(const ControllerServices& services);

}  // namespace microseg
