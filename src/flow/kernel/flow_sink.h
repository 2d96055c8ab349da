// What collectors deliver records to. Called on the collector's reader
// thread, one record at a time; it must not block for long (the kernel
// drops events when the socket buffer fills) — FlowBatch::Add is the usual
// sink.
#pragma once

#include <functional>

#include "flow/flow_record.h"

namespace microseg {

using FlowSink = std::function<void(FlowRecord&&)>;

// Unix seconds now; collectors stamp records with it when the kernel gives
// no time.
int64_t NowSeconds();

}  // namespace microseg
