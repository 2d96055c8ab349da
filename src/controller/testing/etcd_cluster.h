// EtcdCluster: an etcd cluster on loopback for tests, started and killed
// by the test itself.
//
// Members get free ports and data directories under `dir`; the destructor
// kills every member (SIGKILL) and reaps it, so nothing outlives a test,
// even one that failed. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace microseg::testing {

class EtcdCluster {
 public:
  // Whether an `etcd` binary is on PATH (tests GTEST_SKIP otherwise).
  static bool Available();

  // Starts `members` members and waits (up to 20 s, scaled by load) until
  // all are healthy. With `running` < `members`, starts only the first
  // `running` and does not wait (without a quorum there is no leader);
  // Launch starts the others.
  static Result<std::unique_ptr<EtcdCluster>> Start(int members, const std::string& dir,
                                                    int running = -1);
  ~EtcdCluster();

  // "etcd://127.0.0.1:P1,127.0.0.1:P2,...", every member.
  std::string Spec() const;
  int client_port(int member) const { return members_[static_cast<size_t>(member)].client_port; }

  // SIGKILLs one member and reaps it.
  void Kill(int member);
  // Starts a member that is not running (see Start).
  Status Launch(int member);
  // SIGSTOP / SIGCONT: a member that takes connections and answers nothing.
  void Pause(int member);
  void Resume(int member);

 private:
  struct Member {
    pid_t pid = -1;
    int client_port = 0;
    int peer_port = 0;
  };

  EtcdCluster() = default;
  Status WaitHealthy(std::chrono::milliseconds wait) const;

  std::vector<Member> members_;
  std::string dir_;
  std::string initial_cluster_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// `base` multiplied by the 1-minute load average per core when that is
// above 1: how tests bound their waits on a loaded machine.
std::chrono::milliseconds ScaledByLoad(std::chrono::milliseconds base);

}  // namespace microseg::testing
