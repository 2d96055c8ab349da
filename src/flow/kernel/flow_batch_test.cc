#include "flow/kernel/flow_batch.h"

#include <gtest/gtest.h>

#include <sstream>

#include "flow/flow_file.h"

namespace microseg {
namespace {

FlowRecord R(const char* src, const char* dst, uint16_t port, uint64_t bytes, int64_t t,
             FlowVerdict v = FlowVerdict::kAllow) {
  FlowRecord r;
  r.src = *IpAddress::Parse(src);
  r.dst = *IpAddress::Parse(dst);
  r.port = port;
  r.packets = 1;
  r.bytes = bytes;
  r.first = r.last = t;
  r.verdict = v;
  return r;
}

TEST(FlowBatchTest, SumsPerTupleAndDrainsOnce) {
  FlowBatch batch("n1");
  batch.Add(R("10.0.1.1", "10.0.2.1", 80, 100, 1000));
  batch.Add(R("10.0.1.1", "10.0.2.1", 80, 50, 1010));
  batch.Add(R("10.0.1.1", "10.0.2.1", 80, 60, 1005, FlowVerdict::kWouldDeny));
  auto out = batch.Drain();
  ASSERT_EQ(out.size(), 2u);
  const FlowRecord& allow = out[0].verdict == FlowVerdict::kAllow ? out[0] : out[1];
  EXPECT_EQ(allow.flows, 2u);
  EXPECT_EQ(allow.packets, 2u);
  EXPECT_EQ(allow.bytes, 150u);
  EXPECT_EQ(allow.first, 1000);
  EXPECT_EQ(allow.last, 1010);
  EXPECT_EQ(allow.node, "n1");
  EXPECT_TRUE(batch.Drain().empty());
}

TEST(FlowBatchTest, JsonLinesRoundTripKeepsFlows) {
  FlowBatch batch("n1");
  for (int i = 0; i < 3; ++i) batch.Add(R("10.0.1.1", "fd00::9", 443, 10, 1000 + i));
  std::istringstream in(FlowRecordsToJsonLines(batch.Drain()));
  std::vector<FlowRecord> back;
  ASSERT_TRUE(ForEachFlow(in, "batch", [&](FlowRecord&& r) {
                back.push_back(r);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].flows, 3u);
  EXPECT_EQ(back[0].dst.ToString(), "fd00::9");
  EXPECT_EQ(back[0].node, "n1");
}

TEST(FlowBatchTest, FoldedTuplesAreCountedNotShipped) {
  FlowBatch batch("n1", /*max_entries=*/2);
  for (int i = 1; i <= 5; ++i) {
    batch.Add(R(("10.0.1." + std::to_string(i)).c_str(), "10.0.2.1", 80, 10, 1000 + i));
  }
  auto out = batch.Drain();
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(batch.dropped(), 3u);
}

}  // namespace
}  // namespace microseg
