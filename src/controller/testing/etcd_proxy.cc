#include "controller/testing/etcd_proxy.h"

namespace microseg::testing {

Result<std::unique_ptr<EtcdProxy>> EtcdProxy::Start(int member_port) {
  std::unique_ptr<EtcdProxy> proxy(new EtcdProxy());
  proxy->member_port_ = member_port;
  EtcdProxy* self = proxy.get();
  proxy->server_.Post(R"(/v3/kv/.*)", [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  });
  proxy->port_ = proxy->server_.bind_to_any_port("127.0.0.1");
  if (proxy->port_ <= 0) return Status::Error("etcd proxy: cannot bind 127.0.0.1");
  proxy->thread_ = std::thread([self] { self->server_.listen_after_bind(); });
  return proxy;
}

EtcdProxy::~EtcdProxy() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void EtcdProxy::Handle(const httplib::Request& req, httplib::Response& res) {
  httplib::Client member("127.0.0.1", member_port_);
  member.set_connection_timeout(1, 0);
  member.set_read_timeout(30, 0);
  httplib::Result reply = member.Post(req.path, req.body, "application/json");
  if (!reply) {
    res.status = 502;
    res.set_content(R"({"error":"proxy: member unreachable","code":14})", "application/json");
    return;
  }
  const bool write =
      req.path == "/v3/kv/txn" && (req.body.find("\"compare\"") != std::string::npos ||
                                   req.body.find("request_put") != std::string::npos);
  int left = lose_.load();
  while (write && left > 0 && !lose_.compare_exchange_weak(left, left - 1)) {
  }
  if (write && left > 0) {
    lost_.fetch_add(1);
    res.status = 503;
    res.set_content(
        R"({"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"})",
        "application/json");
    return;
  }
  res.status = reply->status;
  res.set_content(reply->body, "application/json");
}

}  // namespace microseg::testing
