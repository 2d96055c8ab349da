// Scenario: one policy test case from test/scenarios/, with the truth tables
// a correct engine must reproduce. Loading is pure file parsing; the runner
// (test/scenarios_test.cc) feeds the manifests to the engine.
//
// A scenario file is multi-document YAML. Documents that have a `kind` are
// Kubernetes/microseg manifests (policies, extra pods); every other document
// is scenario metadata, and their keys are merged:
//
//   description: "deny all ingress in x"   # required, one line
//   layout: layout.yaml                    # default; relative to the file; "none" for no layout
//   endpoints: [x/a, x/b]                  # optional: exactly PolicyEngine::Endpoints(false)
//   expect:                                # required, at least one
//     - port: 80                           # a number or a list of numbers
//       protocol: TCP                      # default TCP; a name or a list of names
//       family: IPv6                       # optional: resolve pods and nodes by their IPv6 IP
//       note: "why this table"             # optional
//       table: |                           # see testing/truth_table.h
//         from\to x/a x/b
//         x/a     .   X
//         x/b     .   .
//
// Every (port, protocol) pair of an entry must produce the same table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "common/status.h"
#include "model/protocol.h"
#include "testing/truth_table.h"

namespace microseg::testutil {

struct ScenarioExpectation {
  std::vector<uint16_t> ports;
  std::vector<Protocol> protocols;
  std::optional<IpFamily> family;  // absent: resolve names as PolicyEngine::Resolve does
  std::string note;
  TruthTable table;
};

struct Scenario {
  std::string path;  // the scenario file
  std::string name;  // file name without directory and ".yaml"
  std::string description;
  std::string layout_path;  // "" when layout is "none"
  std::string manifests;    // the manifest documents of the scenario file, "---"-separated
  std::optional<std::vector<std::string>> endpoints;
  std::vector<ScenarioExpectation> expectations;
};

// Errors are prefixed with `path`, e.g.
//   "foo.yaml: expect[1].table: line 3: row x/b has 2 cells, expected 9".
Result<Scenario> LoadScenario(const std::string& path);

// Every scenario file under `dir` (subdirectories too): *.yaml except
// layout*.yaml, sorted by path.
std::vector<std::string> ListScenarioFiles(const std::string& dir);

// Every scenario file of the source tree's test/scenarios/.
std::vector<std::string> AllScenarioFiles();

// A GoogleTest name for a scenario file: its path under test/scenarios/
// without ".yaml", other characters than letters and digits as '_'
// ("upstream-e2e/deny-ingress.yaml" -> "upstream_e2e_deny_ingress").
std::string ScenarioTestName(const std::string& path);

// The source tree: $MICROSEG_SOURCE_DIR, else the directory compiled in
// (MICROSEG_SOURCE_DIR_DEFAULT), else ".".
std::string SourceDir();

// The whole content of a file, or an error naming it.
Result<std::string> ReadFile(const std::string& path);

}  // namespace microseg::testutil
