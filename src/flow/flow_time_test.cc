#include "flow/flow_time.h"

#include <gtest/gtest.h>

namespace microseg {
namespace {

TEST(FlowTimeTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2026-11-22T10:00:00Z"), 1795341600);
  EXPECT_EQ(ParseRfc3339("2026-11-22T11:00:00+01:00"), 1795341600);
  EXPECT_EQ(ParseRfc3339("2026-11-22T10:00:00.999Z"), 1795341600);  // truncated
  EXPECT_EQ(ParseRfc3339("2024-02-29t00:00:00z"), 1709164800);
}

TEST(FlowTimeTest, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T10:00:00", "2026-13-01T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:00:00Zx",
                          "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00+0100"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(FlowTimeTest, FormatsRoundTrip) {
  EXPECT_EQ(FormatRfc3339(1795341600), "2026-11-22T10:00:00Z");
  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{1795341659}, int64_t{-1}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << t;
  }
}

TEST(FlowTimeTest, Durations) {
  EXPECT_EQ(ParseDuration("15m"), 900);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("1d"), 86400);
  EXPECT_EQ(ParseDuration("90s"), 90);
  for (const char* bad : {"", "15", "m", "0s", "5x", "-5m"})
    EXPECT_FALSE(ParseDuration(bad)) << bad;
}

}  // namespace
}  // namespace microseg
