// Flow aggregation benchmarks (src/flow): how many flow records one core
// folds into aggregates, and what an aggregate costs in memory.
//
//   BM_Aggregate/enrich:0   FlowEnricher without an engine (addresses stay
//                           external) + FlowAggregator::Add.
//   BM_Aggregate/enrich:1   the same, enriched against a 10k-pod engine
//                           (bench/cluster_generator.h): IP -> pod, labels,
//                           and the deciding policy of each flow (Check,
//                           behind the enricher's decision cache).
//   Records are drawn from 100k distinct (src pod, dst pod, port) keys, so
//   each key repeats ~10 times over 1M records, as conntrack updates do.
//   items_per_second is records/s.
//   BM_MemoryPerAggregate   1M distinct enriched aggregates into one
//                           aggregator; counters: bytes_per_aggregate (VmRSS
//                           delta / aggregates) and rss_delta_MiB.
//
// Single-threaded: the enricher and aggregator are not thread-safe.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/cluster_generator.h"
#include "flow/endpoint_directory.h"
#include "flow/flow_aggregator.h"
#include "flow/flow_enricher.h"
#include "ingest/manifest_loader.h"
#include "policy/policy_engine.h"

namespace microseg::bench {
namespace {

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// A 10k-pod cluster, loaded once per process.
struct Cluster {
  ObjectSet objects;
  PolicyEngine engine;
  std::unique_ptr<EndpointDirectory> directory;
  std::vector<IpAddress> pod_ips;
};

const Cluster& TenKPods() {
  static const Cluster* cluster = [] {
    auto* c = new Cluster;
    std::string dir = std::filesystem::temp_directory_path() /
                      ("microseg-flow-bench-" + std::to_string(getpid()));
    auto written = WriteCluster(ClusterSpec::ForPods(10000), dir);
    if (!written.ok()) {
      std::fprintf(stderr, "%s\n", written.status().message().c_str());
      std::abort();
    }
    auto loaded = LoadManifests(written->files);
    std::filesystem::remove_all(dir);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
      std::abort();
    }
    c->objects = std::move(loaded->objects);
    c->engine.Load(c->objects);
    c->directory = std::make_unique<EndpointDirectory>(c->objects);
    for (const Pod& p : c->objects.pods) {
      if (p.HoldsIps() && !p.host_network) c->pod_ips.push_back(p.ips.front());
    }
    return c;
  }();
  return *cluster;
}

std::vector<FlowRecord> Records(const std::vector<IpAddress>& ips, size_t keys, size_t count,
                                uint64_t seed) {
  static constexpr uint16_t kPorts[] = {53, 80, 443, 5432, 6379, 8080, 9090, 3306, 27017, 8443};
  std::mt19937_64 rng(seed);
  std::vector<FlowRecord> distinct(keys);
  for (FlowRecord& r : distinct) {
    r.src = ips[rng() % ips.size()];
    r.dst = ips[rng() % ips.size()];
    r.port = kPorts[rng() % std::size(kPorts)];
    r.protocol = r.port == 53 ? Protocol::kUDP : Protocol::kTCP;
  }
  std::vector<FlowRecord> out(count);
  for (size_t i = 0; i < count; ++i) {
    out[i] = distinct[rng() % keys];
    out[i].packets = 1 + rng() % 50;
    out[i].bytes = out[i].packets * 400;
    out[i].first = static_cast<int64_t>(1795341600 + i / 1000);
    out[i].last = out[i].first + 5;
  }
  return out;
}

void BM_Aggregate(benchmark::State& state) {
  const bool enrich = state.range(0) != 0;
  const Cluster& cluster = TenKPods();
  static const std::vector<FlowRecord> records = Records(cluster.pod_ips, 100000, 1000000, 7);
  size_t aggregates = 0;
  for (auto _ : state) {
    FlowEnricher enricher =
        enrich ? FlowEnricher(&cluster.engine, cluster.directory.get()) : FlowEnricher();
    FlowAggregator aggregator({.max_entries = 1000000});
    for (const FlowRecord& r : records) aggregator.Add(enricher.Enrich(r));
    aggregates = aggregator.size();
    benchmark::DoNotOptimize(aggregator.totals());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records.size()));
  state.counters["aggregates"] = static_cast<double>(aggregates);
}
BENCHMARK(BM_Aggregate)->ArgName("enrich")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_MemoryPerAggregate(benchmark::State& state) {
  const Cluster& cluster = TenKPods();
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<FlowRecord> records = Records(cluster.pod_ips, n * 2, n * 2, 11);
  for (auto _ : state) {
    FlowEnricher enricher(&cluster.engine, cluster.directory.get());
    size_t before = RssBytes();
    auto aggregator = std::make_unique<FlowAggregator>(AggregatorOptions{.max_entries = n});
    size_t i = 0;
    while (aggregator->size() < n && i < records.size())
      aggregator->Add(enricher.Enrich(records[i++]));
    size_t after = RssBytes();
    state.counters["aggregates"] = static_cast<double>(aggregator->size());
    state.counters["rss_delta_MiB"] = static_cast<double>(after - before) / (1 << 20);
    state.counters["bytes_per_aggregate"] =
        static_cast<double>(after - before) / static_cast<double>(aggregator->size());
  }
}
BENCHMARK(BM_MemoryPerAggregate)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace microseg::bench

BENCHMARK_MAIN();
