#include "controller/http/controller_routes.h"

#include "controller/http/agent_handlers.h"
#include "controller/http/api_handlers.h"
#include "controller/http/enroll_handlers.h"
#include "controller/http/flow_handlers.h"
#include "controller/http/http_reply.h"
#include "controller/http/ui_handlers.h"

namespace microseg {

RouteTable ControllerRoutes(const ControllerServices& s) {
  RouteTable routes;
  routes.push_back(
      {"GET", "/healthz", Access::kAnyone, [](const httplib::Request&, httplib::Response& res) {
         ReplyJson(res, 200, {{"status", "ok"}});
       }});
  AddApiRoutes(&routes, s.store, s.stopping, s.spans);
  AddAgentRoutes(&routes, s.store, s.spans, s.agents);
  AddFlowRoutes(&routes, s.store, s.flows);
  AddEnrollRoutes(&routes, s.ca, s.join_tokens, s.agent_cert_days);
  AddUiRoutes(&routes, s.store, s.flows);
  return routes;
}

}  // namespace microseg
