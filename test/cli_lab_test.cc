// End to end through the real `microseg` binary (issue 5's "Done when"):
// `microseg controller` (HTTPS, its own CA, SQLite in a temp dir), `lab up
// --controller` with two nodes whose detached agents enroll with join
// tokens and follow it over mutual TLS from the host's namespace while
// enforcing in their node's, `microseg apply -f` of a policy, `lab probe`
// seeing the real connections change (observed == model), the controller
// killed with SIGKILL (the agents keep enforcing), restarted on the same
// data dir (the policy is still there), `lab down`.
// Needs root and nftables (skips without root). Every command runs under
// `timeout`; waits are bounded polls for an outcome; TearDown removes the
// lab and the controller also when a step fails.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct CmdResult {
  int code = -1;
  std::string out, err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

constexpr char kCluster[] = R"(---
apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
---
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: y, labels: {ns: y}}
---
apiVersion: v1
kind: Pod
metadata: {namespace: x, name: a, labels: {pod: a}}
spec: {nodeName: node-1, containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {namespace: x, name: b, labels: {pod: b}}
spec: {nodeName: node-2, containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.2.10}
---
apiVersion: v1
kind: Pod
metadata: {namespace: y, name: a, labels: {pod: a}}
spec: {nodeName: node-1, containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.1.11}
---
apiVersion: v1
kind: Pod
metadata: {namespace: y, name: b, labels: {pod: b}}
spec: {nodeName: node-2, containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.2.11}
)";

// x/a admits TCP 80 from namespace y only: x/b -> x/a flips to deny.
constexpr char kPolicy[] = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: x, name: a-from-y}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{protocol: TCP, port: 80}]
)";

class CliLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, nftables)";
    const char* exe = std::getenv("MICROSEG_EXE");
    ASSERT_NE(exe, nullptr) << "MICROSEG_EXE names the microseg binary (set by ctest)";
    exe_ = exe;
    char tmpl[] = "/tmp/microseg-cli-lab-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    lab_ = "e" + std::to_string(getpid() % 100000);
    port_ = FreePort();
    server_ = "https://127.0.0.1:" + std::to_string(port_);
    WriteFile(dir_ + "/cluster.yaml", kCluster);
    WriteFile(dir_ + "/policy.yaml", kPolicy);
  }

  void TearDown() override {
    if (dir_.empty()) return;
    Microseg({"lab", "down", "--name", lab_, "--state-dir", dir_ + "/lab"});
    StopController();
    if (HasFailure()) {
      for (const char* log : {"/controller.log"}) std::cerr << log << ":\n" << ReadFile(dir_ + log);
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir_ + "/lab", ec)) {
        std::cerr << e.path() << ":\n" << ReadFile(e.path().string()) << "\n";
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `microseg ARGS` (bounded) with the controller's client settings.
  CmdResult Microseg(const std::vector<std::string>& args) {
    std::string cmd = "timeout 120 " + Quote(exe_);
    for (const auto& a : args) cmd += " " + Quote(a);
    std::string out = dir_ + "/out", err = dir_ + "/err";
    cmd += " >" + Quote(out) + " 2>" + Quote(err);
    std::string env = "HOME=" + Quote(dir_) + " MICROSEG_SERVER=" + server_ +
                      " MICROSEG_CA_FILE=" + Quote(dir_ + "/data/ca.crt") + " MICROSEG_TOKEN=" +
                      Quote(Trim(ReadFile(dir_ + "/data/admin.token")));
    int status = std::system(("env " + env + " " + cmd).c_str());
    CmdResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  void StartController() {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::string log = dir_ + "/controller.log";
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      if (f != nullptr) dup2(fileno(stdout), 2);
      std::string listen = "127.0.0.1:" + std::to_string(port_), data = dir_ + "/data";
      execl(exe_.c_str(), exe_.c_str(), "controller", "--listen", listen.c_str(), "--data-dir",
            data.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    controller_ = pid;
    // Ready when an authenticated request succeeds.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(dir_ + "/data/admin.token") && Microseg({"get", "nodes"}).code == 0) return;
      ASSERT_NE(waitpid(controller_, nullptr, WNOHANG), controller_) << ReadFile(dir_ + "/controller.log");
      std::this_thread::sleep_for(200ms);
    }
    FAIL() << "the controller did not answer within 30 s: " << ReadFile(dir_ + "/controller.log");
  }

  void StopController() {
    if (controller_ <= 0) return;
    kill(controller_, SIGKILL);
    waitpid(controller_, nullptr, 0);
    controller_ = -1;
  }

  std::vector<std::string> LabArgs(std::vector<std::string> args) {
    args.insert(args.begin(), "lab");
    args.insert(args.end(), {"--name", lab_, "--state-dir", dir_ + "/lab"});
    return args;
  }

  // `lab probe --port <port> -o json` (plus `extra`); the verdicts of from -> to.
  struct Row {
    std::string observed, model;
  };
  Row Probe(const std::string& from, const std::string& to, CmdResult* run,
            std::vector<std::string> extra = {}) {
    std::vector<std::string> args =
        LabArgs({"probe", "--port", std::to_string(port), "-o", "json", "--from", from, "--to", to});
    args.insert(args.end(), extra.begin(), extra.end());
    *run = Microseg(args);
    auto j = nlohmann::json::parse(run->out, nullptr, false);
    if (j.is_discarded() || !j.contains("rows")) return {};
    for (const auto& r : j["rows"]) {
      if (r.value("from", "") == from && r.value("to", "") == to) {
        return {r.value("observed", ""), r.value("model", "")};
      }
    }
    return {};
  }

  // Polls the probe until from -> to is `verdict` in the kernel and the
  // model and nothing disagrees (exit 0), for at most `timeout`.
  void ExpectFlow(const std::string& from, const std::string& to, const std::string& verdict,
                  std::vector<std::string> extra = {}, std::chrono::seconds timeout = 30s,
                  std::string model = "") {
    if (model.empty()) model = verdict;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    CmdResult run;
    Row row;
    for (;;) {
      row = Probe(from, to, &run, extra);
      if (run.code == 0 && row.observed == verdict && row.model == model) return;
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(500ms);
    }
    FAIL() << from << " -> " << to << ": want " << verdict << " (model " << model << "), observed "
           << row.observed << " model "
           << row.model << " (exit " << run.code << ")\n" << run.out << run.err;
  }

  std::string exe_, dir_, lab_, server_;
  int port_ = 0;
  int port = 80;  // the port probed
  pid_t controller_ = -1;
};

TEST_F(CliLabTest, ControllerLabApplyRestart) {
  ASSERT_NO_FATAL_FAILURE(StartController());

  // Two nodes whose agents enroll and follow the controller.
  CmdResult up = Microseg(LabArgs({"up", "--controller", server_, "-f", dir_ + "/cluster.yaml",
                             "--token-file", dir_ + "/data/admin.token", "--ca-file",
                             dir_ + "/data/ca.crt"}));
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("2 enforcement point(s), 4 pod(s)"), std::string::npos) << up.out;
  CmdResult agents = Microseg({"get", "nodes"});
  EXPECT_NE(agents.out.find("node-2"), std::string::npos) << agents.out;
  // Each agent holds a certificate of the controller's CA, not a token.
  EXPECT_TRUE(fs::exists(dir_ + "/lab/" + lab_ + "-agents/node-1/node.crt"));

  // No policy yet: everything passes.
  ExpectFlow("x/b", "x/a", "allow");

  // Apply a policy: the real connection flips, observed == model.
  CmdResult apply = Microseg({"apply", "-f", dir_ + "/policy.yaml"});
  ASSERT_EQ(apply.code, 0) << apply.out << apply.err;
  ExpectFlow("x/b", "x/a", "deny");
  ExpectFlow("y/b", "x/a", "allow");

  // The agents shipped the lab's connections to the controller.
  {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    CmdResult flows;
    for (;;) {
      flows = Microseg({"flows", "--to", "x/a"});
      if (flows.code == 0 && flows.out.find("y/b") != std::string::npos) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << flows.out << flows.err;
      std::this_thread::sleep_for(500ms);
    }
  }

  // The controller dies: the agents keep enforcing (model from the files).
  StopController();
  ExpectFlow("x/b", "x/a", "deny", {"-f", dir_ + "/cluster.yaml", "-f", dir_ + "/policy.yaml"}, 5s);
  ExpectFlow("y/b", "x/a", "allow", {"-f", dir_ + "/cluster.yaml", "-f", dir_ + "/policy.yaml"}, 5s);

  // Restarted on the same data dir: the policy is still there.
  ASSERT_NO_FATAL_FAILURE(StartController());
  CmdResult get = Microseg({"get", "networkpolicy", "-n", "x"});
  EXPECT_EQ(get.code, 0) << get.err;
  EXPECT_NE(get.out.find("a-from-y"), std::string::npos) << get.out;
  ExpectFlow("x/b", "x/a", "deny");

  // The agents are back with the restarted controller (the same
  // certificates) and follow a change: removing the policy opens x/b -> x/a.
  CmdResult del = Microseg({"delete", "-f", dir_ + "/policy.yaml"});
  ASSERT_EQ(del.code, 0) << del.out << del.err;
  ExpectFlow("x/b", "x/a", "allow", {}, 60s);

  CmdResult down = Microseg(LabArgs({"down"}));
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_FALSE(fs::exists(dir_ + "/lab/" + lab_ + "-agents"));
}

}  // namespace

namespace {

// Issue 6 through the binary: examples/visibility in the lab, the VM in
// visibility mode; only the API's queries to it are made; the agents ship
// them; `recommend` from the controller, applied; the web tier's connection
// to the database, never observed, is blocked in the kernel.
TEST_F(CliLabTest, VisibilityRecommendApplyBlocksTheUnobserved) {
  const char* src = std::getenv("MICROSEG_SOURCE_DIR");
  std::string example = std::string(src ? src : ".") + "/examples/visibility";
  ASSERT_NO_FATAL_FAILURE(StartController());
  CmdResult up = Microseg(LabArgs({"up", "--controller", server_, "-f", example + "/inventory.yaml", "-f",
                                   example + "/policies.yaml"}));
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  port = 5432;
  // Onboarding: the VM's traffic passes and is reported as would-deny.
  ExpectFlow("shop/api-1", "workload/db-vm", "allow", {}, 10s, "would-deny");
  ExpectFlow("shop/api-2", "workload/db-vm", "allow", {}, 10s, "would-deny");
  // The agents ship what they saw (every 2 s in the lab).
  {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    CmdResult flows;
    for (;;) {
      flows = Microseg({"flows", "--to", "workload/db-vm", "--verdict", "would-deny"});
      if (flows.code == 0 && flows.out.find("shop/api-1") != std::string::npos &&
          flows.out.find("shop/api-2") != std::string::npos) {
        break;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << flows.out << flows.err;
      std::this_thread::sleep_for(500ms);
    }
  }
  CmdResult ui = Microseg({"ui"});
  EXPECT_NE(ui.out.find(server_ + "/ui/#token="), std::string::npos) << ui.out << ui.err;
  // Accept the recommendation (verified in the model before it is printed).
  CmdResult rec = Microseg({"recommend", "--show-changes"});
  ASSERT_EQ(rec.code, 0) << rec.err;
  EXPECT_NE(rec.out.find("microseg-workload-orders-db"), std::string::npos) << rec.out;
  WriteFile(dir_ + "/recommended.yaml", rec.out);
  CmdResult del = Microseg({"delete", "enforcementmode", "onboard-db-vm"});
  ASSERT_EQ(del.code, 0) << del.err;
  CmdResult apply = Microseg({"apply", "-f", dir_ + "/recommended.yaml"});
  ASSERT_EQ(apply.code, 0) << apply.out << apply.err;
  // Observed stays open; never observed is blocked; observed == model.
  ExpectFlow("shop/api-1", "workload/db-vm", "allow");
  ExpectFlow("frontend/web-1", "workload/db-vm", "deny");
  CmdResult all = Microseg(LabArgs({"probe", "--port", "5432", "--to", "workload/db-vm"}));
  EXPECT_EQ(all.code, 0) << all.out << all.err;  // 0 disagreements
}

}  // namespace
