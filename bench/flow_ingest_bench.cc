// Controller flow ingest: records/s through POST /api/v1/flows into the
// controller's flow store (parse, retention, and the SQLite write to
// DATA_DIR/flows.db, one transaction per batch), as agents ship them.
//
// Everything is in one process: an in-process Controller on 127.0.0.1
// (plain HTTP, a temp dir), one client posting batches of JSON lines (an
// agent's drained FlowBatch) back to back. The store keeps at most
// `max_records`, so a long run measures the steady state (insert + evict).
// Also: the time a restarted controller takes to load the store.
//
// Results and the command are in docs/PERFORMANCE.md ("Flows").
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "flow/flow_time.h"
#include "flow/kernel/flow_batch.h"

namespace microseg {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A batch as one agent ships it: distinct (src, dst, port) tuples of a
// 10.0.0.0/8 estate; `seed` varies the addresses between batches.
std::string Batch(size_t records, uint32_t seed) {
  std::vector<FlowRecord> out;
  out.reserve(records);
  const int64_t now = Now();
  for (size_t i = 0; i < records; ++i) {
    uint32_t k = seed * 7919u + static_cast<uint32_t>(i);
    FlowRecord r;
    r.src = IpAddress::V4(0x0a000000u | (k * 2654435761u & 0xffffu));
    r.dst = IpAddress::V4(0x0a010000u | (k % 4096));
    r.port = static_cast<uint16_t>(1 + k % 40);
    r.verdict = k % 10 == 0 ? FlowVerdict::kWouldDeny : FlowVerdict::kAllow;
    r.flows = 1 + k % 3;
    r.packets = 10 + k % 100;
    r.bytes = 1000 + k % 100000;
    r.first = now - 10;
    r.last = now;
    r.node = "node-" + std::to_string(k % 50);
    out.push_back(std::move(r));
  }
  return FlowRecordsToJsonLines(out);
}

struct Running {
  testing::TempDir dir;
  std::unique_ptr<Controller> controller;
  std::unique_ptr<ApiClient> client;

  explicit Running(size_t max_records) {
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir.path();
    options.flow_max_records = max_records;
    auto started = Controller::Start(options);
    if (!started.ok()) return;
    controller = std::move(*started);
    client = std::make_unique<ApiClient>(controller->url(), controller->token());
  }
};

// records/s through POST /api/v1/flows, batches of range(0) records, into a
// store of at most range(1).
void BM_Ingest(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Running c(static_cast<size_t>(state.range(1)));
  if (!c.controller) return state.SkipWithError("controller did not start");
  std::vector<std::string> bodies;
  for (uint32_t i = 0; i < 16; ++i) bodies.push_back(Batch(batch, i));
  size_t posted = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& body = bodies[posted % bodies.size()];
    Status s = c.client->PostFlows(body);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    ++posted;
    bytes += body.size();
  }
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(posted * batch), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Ingest)
    ->ArgNames({"batch", "max"})
    ->Args({100, 500'000})
    ->Args({1000, 500'000})
    ->Args({10000, 500'000})
    ->Args({1000, 50'000})  // steady state: every batch evicts as many
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A restarted controller loading range(0) records from flows.db.
void BM_Reload(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  testing::TempDir dir;
  ControllerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  options.flow_max_records = n;
  {
    auto started = Controller::Start(options);
    if (!started.ok()) return state.SkipWithError(started.status().message().c_str());
    ApiClient client((*started)->url(), (*started)->token());
    for (uint32_t i = 0; i * 10000 < n; ++i) {
      if (!client.PostFlows(Batch(10000, i)).ok()) return state.SkipWithError("post failed");
    }
  }
  for (auto _ : state) {
    auto started = Controller::Start(options);
    if (!started.ok()) return state.SkipWithError(started.status().message().c_str());
    (*started)->Stop();
  }
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Reload)->Arg(100'000)->Arg(500'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace microseg

BENCHMARK_MAIN();
