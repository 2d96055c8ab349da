#include "controller/testing/etcd_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

extern char** environ;

namespace microseg::testing {

namespace {

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool EtcdCluster::Available() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/etcd").c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::chrono::milliseconds ScaledByLoad(std::chrono::milliseconds base) {
  double load = 0;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double factor = getloadavg(&load, 1) == 1 ? std::max(1.0, load / cores) : 1.0;
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(base.count()) * factor));
}

Result<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(int members, const std::string& dir,
                                                        int running) {
  if (running < 0 || running > members) running = members;
  std::unique_ptr<EtcdCluster> cluster(new EtcdCluster());
  cluster->dir_ = dir;
  cluster->members_.resize(static_cast<size_t>(members));
  for (int i = 0; i < members; ++i) {
    Member& m = cluster->members_[static_cast<size_t>(i)];
    m.client_port = FreePort();
    m.peer_port = FreePort();
    if (!cluster->initial_cluster_.empty()) cluster->initial_cluster_ += ",";
    cluster->initial_cluster_ += "m" + std::to_string(i) + "=" + Url(m.peer_port);
  }
  for (int i = 0; i < running; ++i) {
    if (Status s = cluster->Launch(i); !s.ok()) return s;
  }
  if (running < members) return cluster;
  if (Status s = cluster->WaitHealthy(ScaledByLoad(std::chrono::seconds(20))); !s.ok()) return s;
  return cluster;
}

Status EtcdCluster::Launch(int member) {
  Member& m = members_[static_cast<size_t>(member)];
  if (m.pid > 0) return Status::Ok();
  const std::string name = "m" + std::to_string(member);
  std::vector<std::string> args = {
      "etcd",
      "--name",
      name,
      "--data-dir",
      dir_ + "/" + name,
      "--listen-client-urls",
      Url(m.client_port),
      "--advertise-client-urls",
      Url(m.client_port),
      "--listen-peer-urls",
      Url(m.peer_port),
      "--initial-advertise-peer-urls",
      Url(m.peer_port),
      "--initial-cluster",
      initial_cluster_,
      "--initial-cluster-state",
      "new",
      "--initial-cluster-token",
      "microseg-test",
      "--heartbeat-interval",
      "50",
      "--election-timeout",
      "500",
      "--max-txn-ops",
      "10000",
  };
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = dir_ + "/" + name + ".log";
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "etcd", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::Error("cannot start etcd: " + std::string(strerror(rc)));
  m.pid = pid;
  return Status::Ok();
}

Status EtcdCluster::WaitHealthy(std::chrono::milliseconds wait) const {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (const Member& m : members_) {
    while (true) {
      httplib::Client client("127.0.0.1", m.client_port);
      client.set_connection_timeout(0, 200000);
      client.set_read_timeout(1, 0);
      httplib::Result res = client.Get("/health");
      if (res && res->status == 200 && res->body.find("true") != std::string::npos) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Error("etcd member on port " + std::to_string(m.client_port) +
                             " not healthy in time");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return Status::Ok();
}

std::string EtcdCluster::Spec() const {
  std::string spec = "etcd://";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i > 0) spec += ",";
    spec += "127.0.0.1:" + std::to_string(members_[i].client_port);
  }
  return spec;
}

void EtcdCluster::Kill(int member) {
  Member& m = members_[static_cast<size_t>(member)];
  if (m.pid <= 0) return;
  kill(m.pid, SIGKILL);
  waitpid(m.pid, nullptr, 0);
  m.pid = -1;
}

void EtcdCluster::Pause(int member) {
  const Member& m = members_[static_cast<size_t>(member)];
  if (m.pid > 0) kill(m.pid, SIGSTOP);
}

void EtcdCluster::Resume(int member) {
  const Member& m = members_[static_cast<size_t>(member)];
  if (m.pid > 0) kill(m.pid, SIGCONT);
}

EtcdCluster::~EtcdCluster() {
  for (size_t i = 0; i < members_.size(); ++i) Kill(static_cast<int>(i));
}

}  // namespace microseg::testing
