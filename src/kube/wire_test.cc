#include "kube/wire.h"

#include <gtest/gtest.h>

namespace microseg::kube {
namespace {

const Resource& Pods() { return *FindResource("Pod"); }

TEST(ParseListPage, SetsTypeMetaOnItemsAndReadsListMetadata) {
  Result<ListPage> page = ParseListPage(R"({"kind":"PodList","apiVersion":"v1",
      "metadata":{"resourceVersion":"42","continue":"abc"},
      "items":[{"metadata":{"name":"a","namespace":"shop"}}]})",
                                        Pods());
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->resource_version, "42");
  EXPECT_EQ(page->continue_token, "abc");
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0]["kind"], "Pod");
  EXPECT_EQ(page->items[0]["apiVersion"], "v1");
}

TEST(ParseListPage, NullItemsIsAnEmptyPage) {
  Result<ListPage> page =
      ParseListPage(R"({"metadata":{"resourceVersion":"7"},"items":null})", Pods());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->continue_token, "");
}

TEST(ParseListPage, Errors) {
  struct Case {
    const char* description;
    const char* body;
    const char* message;
  } cases[] = {
      {"not JSON", "<html>", "Pod list: response is not a JSON object"},
      {"no version", R"({"items":[]})", "Pod list: metadata.resourceVersion is missing"},
      {"items not a list", R"({"metadata":{"resourceVersion":"1"},"items":{}})",
       "Pod list: items is not a list"},
      {"item not an object", R"({"metadata":{"resourceVersion":"1"},"items":[3]})",
       "Pod list: an item is not an object"},
  };
  for (const Case& c : cases) {
    Result<ListPage> page = ParseListPage(c.body, Pods());
    ASSERT_FALSE(page.ok()) << c.description;
    EXPECT_EQ(page.status().message(), c.message) << c.description;
  }
}

TEST(ParseWatchEvent, EveryType) {
  struct Case {
    const char* line;
    WatchEventType type;
    const char* version;
  } cases[] = {
      {R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})",
       WatchEventType::kAdded, "5"},
      {R"({"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"6"}}})",
       WatchEventType::kModified, "6"},
      {R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"7"}}})",
       WatchEventType::kDeleted, "7"},
      {R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"8"}}})",
       WatchEventType::kBookmark, "8"},
      {R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})",
       WatchEventType::kError, ""},
  };
  for (const Case& c : cases) {
    Result<WatchEvent> event = ParseWatchEvent(c.line, Pods());
    ASSERT_TRUE(event.ok()) << c.line << ": " << event.status().message();
    EXPECT_EQ(event->type, c.type) << c.line;
    EXPECT_EQ(event->resource_version, c.version) << c.line;
  }
}

TEST(ParseWatchEvent, Errors) {
  struct Case {
    const char* line;
    const char* message;
  } cases[] = {
      {"{", "Pod watch: event is not a JSON object"},
      {R"({"object":{}})", "Pod watch: event has no type"},
      {R"({"type":"ADDED"})", "Pod watch: event has no object"},
      {R"({"type":"UPSERT","object":{}})", "Pod watch: unknown event type \"UPSERT\""},
      {R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})",
       "Pod watch: ADDED event has no metadata.resourceVersion"},
  };
  for (const Case& c : cases) {
    Result<WatchEvent> event = ParseWatchEvent(c.line, Pods());
    ASSERT_FALSE(event.ok()) << c.line;
    EXPECT_EQ(event.status().message(), c.message);
  }
}

TEST(ParseWire, DeepNestingIsRefused) {
  // An API server (or a man in the middle) nesting 66,000 levels deep.
  std::string deep = std::string(66000, '[') + std::string(66000, ']');
  Result<WatchEvent> event =
      ParseWatchEvent(R"({"type":"ADDED","object":{"x":)" + deep + "}}", Pods());
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().message(), "Pod watch: event is not a JSON object");
  Result<ListPage> page =
      ParseListPage(R"({"metadata":{"resourceVersion":"1"},"items":[{"x":)" + deep + "}]}", Pods());
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(), "Pod list: response is not a JSON object");
}

TEST(ApiStatus, ExpiredByCodeOrReason) {
  EXPECT_TRUE(IsExpired(ParseApiStatus({{"code", 410}})));
  EXPECT_TRUE(IsExpired(ParseApiStatus({{"reason", "Expired"}})));
  EXPECT_TRUE(IsExpired(ParseApiStatus({{"reason", "Gone"}})));
  ApiStatus other =
      ParseApiStatus({{"code", 500}, {"reason", "InternalError"}, {"message", "etcd down"}});
  EXPECT_FALSE(IsExpired(other));
  EXPECT_EQ(other.message, "etcd down");
}

TEST(KeyOf, NamespacedAndClusterScoped) {
  Result<ObjectKey> pod = KeyOf(Pods(), {{"metadata", {{"name", "a"}, {"namespace", "shop"}}}});
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(pod->ToString(), "Pod shop/a");
  Result<ObjectKey> node =
      KeyOf(*FindResource("Node"), {{"metadata", {{"name", "n1"}, {"namespace", "x"}}}});
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->ToString(), "Node n1");
  EXPECT_EQ(KeyOf(Pods(), {{"metadata", {{"name", "a"}}}}).status().message(),
            "Pod a: metadata.namespace is missing");
  EXPECT_EQ(KeyOf(Pods(), nlohmann::json::object()).status().message(),
            "Pod: metadata.name is missing");
}

TEST(QueryEscape, ReservedCharacters) {
  EXPECT_EQ(QueryEscape("eyJ2Ijoi+/=&x"), "eyJ2Ijoi%2B%2F%3D%26x");
}

}  // namespace
}  // namespace microseg::kube
