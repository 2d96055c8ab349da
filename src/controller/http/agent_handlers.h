// The routes agents use (docs/CONTROLLER.md, "Agents"):
//   GET  /api/v1/span?node=NODE          the objects NODE's agent needs, a List
//   POST /api/v1/agents/NODE/status      an agent's status report
//   GET  /api/v1/agents[/NODE]           the last reports
#pragma once

#include "controller/http/agent_registry.h"
#include "controller/http/route_table.h"
#include "controller/http/span_computer.h"
#include "microseg/store.h"

namespace microseg {

// Everything passed must outlive the server.
void AddAgentRoutes(RouteTable* routes, Store* store, SpanComputer* spans, AgentRegistry* agents);

}  // namespace microseg
