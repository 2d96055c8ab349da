// EtcdProxy: stands in front of one etcd member for tests and forwards its
// /v3/kv/* calls, except that it can lose the replies to writes: the txn
// reaches etcd and applies, and the caller gets what etcd answers when a
// proposal outlives its request ("etcdserver: request timed out", HTTP
// 503). That is a member dying after it proposed, made deterministic.
//
// Listens on a free port of 127.0.0.1 until destroyed. Thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace microseg::testing {

class EtcdProxy {
 public:
  static Result<std::unique_ptr<EtcdProxy>> Start(int member_port);
  ~EtcdProxy();

  int port() const { return port_; }
  // The replies to the next `count` writes (txns with a compare or a put)
  // are lost after etcd answered.
  void LoseWriteReplies(int count) { lose_.store(count); }
  // Writes forwarded so far whose reply was lost.
  int lost() const { return lost_.load(); }

 private:
  EtcdProxy() = default;
  void Handle(const httplib::Request& req, httplib::Response& res);

  int member_port_ = 0;
  int port_ = 0;
  httplib::Server server_;
  std::thread thread_;
  std::atomic<int> lose_{0};
  std::atomic<int> lost_{0};
};

}  // namespace microseg::testing
