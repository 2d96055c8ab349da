#include "flow/flow_file.h"

#include <gtest/gtest.h>

#include <sstream>

namespace microseg {
namespace {

TEST(FlowFileTest, ParsesEveryField) {
  auto r = ParseFlowLine(
      R"({"src":"10.0.1.1","dst":"10.0.2.1","protocol":"UDP","port":53,"verdict":"would-deny",)"
      R"("packets":3,"bytes":180,"first":"2026-11-22T10:00:00Z","last":"2026-11-22T10:00:05Z",)"
      R"("node":"n1","future":"ignored"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->src.ToString(), "10.0.1.1");
  EXPECT_EQ(r->dst.ToString(), "10.0.2.1");
  EXPECT_EQ(r->protocol, Protocol::kUDP);
  EXPECT_EQ(r->port, 53);
  EXPECT_EQ(r->verdict, FlowVerdict::kWouldDeny);
  EXPECT_EQ(r->packets, 3u);
  EXPECT_EQ(r->bytes, 180u);
  EXPECT_EQ(r->last - r->first, 5);
  EXPECT_EQ(r->node, "n1");
  EXPECT_EQ(FlowRecordToJson(*r)["last"], "2026-11-22T10:00:05Z");
  auto again = ParseFlowLine(FlowRecordToJson(*r).dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes, 180u);
}

TEST(FlowFileTest, Defaults) {
  auto r = ParseFlowLine(
      R"({"src":"fd00::1","dst":"fd00::2","port":443,"verdict":"allow","first":"2026-11-22T10:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->protocol, Protocol::kTCP);
  EXPECT_EQ(r->packets, 0u);
  EXPECT_EQ(r->last, r->first);
  EXPECT_EQ(r->node, "");
}

TEST(FlowFileTest, DeepNestingIsInvalidJson) {
  // A flow report nested 66,000 levels: refused before anything recurses.
  std::string deep = R"({"src": "10.0.0.1", "x": )" + std::string(66000, '[') +
                     std::string(66000, ']') + "}";
  auto r = ParseFlowLine(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "not valid JSON");
}

TEST(FlowFileTest, ErrorsNameTheField) {
  struct Case {
    const char* line;
    const char* error;
  } cases[] = {
      {"{", "not valid JSON"},
      {"[1]", "expected a JSON object"},
      {R"({"dst":"10.0.0.1"})", "field \"src\": required"},
      {R"({"src":"10.0.0.300","dst":"10.0.0.1"})",
       "field \"src\": invalid IP address \"10.0.0.300\""},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":70000})",
       "field \"port\": expected an integer from 0 to 65535, got 70000"},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":0})",
       "field \"port\": expected an integer from 1 to 65535, got 0"},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","protocol":"tcp","port":1})",
       "field \"protocol\": expected TCP, UDP or SCTP, got \"tcp\""},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":1,"verdict":"drop"})",
       "field \"verdict\": expected allow, deny or would-deny, got \"drop\""},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":1,"verdict":"deny","packets":-1})",
       "field \"packets\": expected an integer from 0 to 9007199254740992, got -1"},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":1,"verdict":"deny","first":"yesterday"})",
       "field \"first\": invalid RFC 3339 time \"yesterday\""},
      {R"({"src":"10.0.0.1","dst":"10.0.0.2","port":1,"verdict":"deny",)"
       R"("first":"2026-11-22T10:00:00Z","last":"2026-11-22T09:00:00Z"})",
       "field \"last\": is before first"},
  };
  for (const Case& c : cases) {
    auto r = ParseFlowLine(c.line);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.status().message(), c.error) << c.line;
  }
}

TEST(FlowFileTest, FlowsZeroIsACounterUpdate) {
  auto r = ParseFlowLine(
      R"({"src":"10.0.0.1","dst":"10.0.0.2","port":80,"verdict":"allow","flows":0,)"
      R"("packets":7,"bytes":900,"first":"2026-11-22T10:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->flows, 0u);
  EXPECT_EQ(FlowRecordToJson(*r)["flows"], 0);
  auto back = ParseFlowLine(FlowRecordToJson(*r).dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->flows, 0u);
  EXPECT_EQ(back->bytes, 900u);
}

TEST(FlowFileTest, StreamsSkippingCommentsAndNamesTheLine) {
  std::istringstream in(
      "# observed on n1\n"
      "\n"
      R"({"src":"10.0.0.1","dst":"10.0.0.2","port":80,"verdict":"allow","first":"2026-11-22T10:00:00Z"})"
      "\n"
      R"({"src":"10.0.0.1","dst":"10.0.0.2","port":80,"verdict":"allow"})"
      "\n");
  int seen = 0;
  Status s = ForEachFlow(in, "flows.jsonl", [&](FlowRecord&&) {
    ++seen;
    return Status::Ok();
  });
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(s.message(), "flows.jsonl:4: field \"first\": required");
}

}  // namespace
}  // namespace microseg
