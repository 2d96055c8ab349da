// ControllerSink against the controller's real API routes and a SQLite
// store, served on 127.0.0.1 (port 0) from a temp dir.
#include "kube/controller/controller_sink.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "controller/http/api_handlers.h"
#include "controller/store/sqlite_store.h"
#include "controller/testing/temp_dir.h"

namespace microseg::kube {
namespace {

std::string PodJson(const std::string& name, const std::string& ip) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","namespace":"shop","labels":{"app":"web"}},"spec":{"nodeName":"node-1"},)"
         R"("status":{"phase":"Running","podIP":")" +
         ip + R"("}})";
}

std::vector<std::string> Names(const microseg::ApiClient& client, const std::string& kind) {
  Result<Json> list = client.List(kind, std::nullopt);
  std::vector<std::string> names;
  if (!list.ok()) return {"error: " + list.status().message()};
  for (const Json& item : (*list)["items"])
    names.push_back(item["metadata"]["name"].get<std::string>());
  return names;
}

// The controller's routes on a loopback server (authentication is the
// Controller's job, not the routes', so any token passes here).
class RoutesServer {
 public:
  explicit RoutesServer(Store* store) {
    RouteTable routes;
    AddApiRoutes(&routes, store, &stopping_);
    RegisterRoutes(routes, &server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RoutesServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::thread thread_;
};

TEST(ControllerSink, AppliesDeletesAndResyncs) {
  microseg::testing::TempDir dir;
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.path() + "/state.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  RoutesServer routes(store->get());
  microseg::ApiClient client(routes.url(), "token");
  ControllerSink sink(routes.url(), "token");

  for (const char* name : {"web-1", "web-2", "web-3"}) {
    Status s = sink.Apply({ObjectKey{"Pod", "shop", name}, PodJson(name, "10.0.0.1")});
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(Names(client, "Pod"), (std::vector<std::string>{"web-1", "web-2", "web-3"}));

  ASSERT_TRUE(sink.Delete(ObjectKey{"Pod", "shop", "web-1"}).ok());
  EXPECT_TRUE(sink.Delete(ObjectKey{"Pod", "shop", "web-1"}).ok()) << "absent is fine";
  ASSERT_TRUE(sink.Resync("Pod", {ObjectKey{"Pod", "shop", "web-3"}}).ok());
  EXPECT_EQ(Names(client, "Pod"), (std::vector<std::string>{"web-3"}));

  Status refused = sink.Apply({ObjectKey{"Pod", "shop", "bad"}, R"({"kind":"Pod"})"});
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("apply Pod shop/bad"), std::string::npos) << refused.message();

  ControllerSink nobody("http://127.0.0.1:1", "token");
  EXPECT_FALSE(
      nobody.Apply({ObjectKey{"Pod", "shop", "web-4"}, PodJson("web-4", "10.0.0.4")}).ok());
}

}  // namespace
}  // namespace microseg::kube
