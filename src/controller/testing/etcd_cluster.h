// EtcdCluster: an etcd cluster on loopback for tests, started and killed
// by the test itself.
//
// Members get free ports and data directories under `dir`; the destructor
// kills every member (SIGKILL) and reaps it, so nothing outlives a test,
// even one that failed. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace microseg::testing {

class EtcdCluster {
 public:
  // Whether an `etcd` binary is on PATH (tests GTEST_SKIP otherwise).
  static bool Available();

  // Starts `members` members and waits (up to 20 s) until all are healthy.
  static Result<std::unique_ptr<EtcdCluster>> Start(int members, const std::string& dir);
  ~EtcdCluster();

  // "etcd://127.0.0.1:P1,127.0.0.1:P2,...", every member.
  std::string Spec() const;
  int client_port(int member) const { return members_[static_cast<size_t>(member)].client_port; }

  // SIGKILLs one member and reaps it.
  void Kill(int member);

 private:
  struct Member {
    pid_t pid = -1;
    int client_port = 0;
    int peer_port = 0;
  };

  EtcdCluster() = default;
  Status WaitHealthy(int seconds) const;

  std::vector<Member> members_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace microseg::testing
