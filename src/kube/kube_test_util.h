// Shared by the kube tests: fixture paths and small object builders.
#pragma once

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace microseg::kube::testing {

inline std::string TestData(const std::string& name) {
  const char* env = std::getenv("MICROSEG_SOURCE_DIR");
  std::string root = env && *env ? env : MICROSEG_SOURCE_DIR;
  return root + "/test/testdata/kube/" + name;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A running pod as the API server returns it, noise included.
inline nlohmann::json MakePod(const std::string& ns, const std::string& name, const std::string& ip,
                              const std::string& app = "web") {
  using nlohmann::json;
  json port = {{"containerPort", 80}, {"name", "http"}};
  json container = {{"name", "c"}, {"image", "nginx"}, {"ports", json::array({port})}};
  json condition = {{"type", "Ready"}, {"status", "True"}, {"lastProbeTime", "t0"}};
  json pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  pod["metadata"] = {{"name", name},
                     {"namespace", ns},
                     {"uid", "uid-" + name + "-" + ip},
                     {"labels", {{"app", app}}},
                     {"managedFields", json::array({json{{"manager", "kubelet"}}})}};
  pod["spec"] = {{"nodeName", "node-1"}, {"containers", json::array({container})}};
  pod["status"] = {{"phase", "Running"},
                   {"podIP", ip},
                   {"podIPs", json::array({json{{"ip", ip}}})},
                   {"conditions", json::array({condition})}};
  return pod;
}

inline nlohmann::json MakeNamespace(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", {{"team", name}}}}},
          {"status", {{"phase", "Active"}}}};
}

}  // namespace microseg::kube::testing
