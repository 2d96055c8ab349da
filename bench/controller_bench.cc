// Controller propagation: how long from an API write to the agent applying
// it, with a large cluster in the store.
//
//   POST /api/v1/apply (a new Pod on the agent's node)      t0
//     -> store commit -> watch event -> agent's next poll
//     -> GET /api/v1/span?node=  (controller: list the store, build a
//        PolicyEngine at the new revision, SpanFor(node), reply)
//     -> agent: decode, PolicyEngine, compile, diff
//     -> the nft script naming the pod's IP is run           t1
//
// Everything is in one process: an in-process Controller on 127.0.0.1
// (SQLite in a temp dir, synchronous=FULL), one Agent fed by a
// ControllerSource, and a recording fake executor in place of the kernel
// (t1 is when libnftables would have been handed the script; the kernel's
// own transaction time is in "Dataplane"). Writes come at a steady rate,
// whatever the latency: when writes come faster than the agent can load,
// one load carries several of them, as in production.
//
// Results and the command are in docs/PERFORMANCE.md ("Controller").
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "agent/controller_source.h"
#include "bench/cluster_generator.h"
#include "controller/client/api_client.h"
#include "controller/http/controller.h"
#include "controller/testing/temp_dir.h"
#include "dataplane/nft/executor.h"

namespace microseg {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Does `script` name `ip` as a whole address (not 10.0.0.1 in 10.0.0.10)?
bool NamesAddress(const std::string& script, const std::string& ip) {
  for (size_t at = script.find(ip); at != std::string::npos; at = script.find(ip, at + 1)) {
    size_t end = at + ip.size();
    bool left = at == 0 || !(isdigit(static_cast<unsigned char>(script[at - 1])) || script[at - 1] == '.');
    bool right = end == script.size() || !(isdigit(static_cast<unsigned char>(script[end])) || script[end] == '.');
    if (left && right) return true;
  }
  return false;
}

// Stands in for libnftables: records when the first script naming each
// awaited address was run.
class RecordingExecutor : public nft::NftExecutor {
 public:
  Status Run(const std::string& script) override {
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    ++scripts_;
    for (auto it = awaited_.begin(); it != awaited_.end();) {
      if (NamesAddress(script, it->first)) {
        seen_[it->first] = now;
        it = awaited_.erase(it);
      } else {
        ++it;
      }
    }
    cv_.notify_all();
    return Status::Ok();
  }
  Result<std::optional<std::string>> ListTableJson() override { return std::optional<std::string>(); }

  void Await(const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    awaited_.emplace(ip, true);
  }
  // When the script naming `ip` ran, waiting at most `timeout`.
  std::optional<Clock::time_point> SeenAt(const std::string& ip, Clock::duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return seen_.count(ip) > 0; })) return std::nullopt;
    return seen_[ip];
  }
  uint64_t scripts() {
    std::lock_guard<std::mutex> lock(mu_);
    return scripts_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, bool> awaited_;
  std::map<std::string, Clock::time_point> seen_;
  uint64_t scripts_ = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Phase times on stderr as they happen: a run that is stopped early still
// tells where it was.
void Progress(const std::string& line) { std::fprintf(stderr, "controller_bench: %s\n", line.c_str()); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Args: pods in the cluster, milliseconds between writes, writes.
void BM_ApiWriteToAgentApplied(benchmark::State& state) {
  const size_t pods = static_cast<size_t>(state.range(0));
  const auto interval = std::chrono::milliseconds(state.range(1));
  const int writes = static_cast<int>(state.range(2));
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir cluster_dir, data_dir;
    auto summary = bench::WriteCluster(bench::ClusterSpec::ForPods(pods), cluster_dir.path());
    if (!summary.ok()) {
      state.SkipWithError(summary.status().message().c_str());
      return;
    }
    ControllerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_dir.path();
    options.max_body_bytes = 256u << 20;  // one generated file per request
    auto controller = Controller::Start(options);
    if (!controller.ok()) {
      state.SkipWithError(controller.status().message().c_str());
      return;
    }
    ApiClient client((*controller)->url(), (*controller)->token());

    // Load the cluster, one file per request (one transaction each).
    auto load_start = Clock::now();
    int64_t loaded_revision = 0;
    for (const std::string& file : summary->files) {
      auto applied = client.Apply({{file, ReadFile(file)}});
      if (!applied.ok()) {
        state.SkipWithError(("apply " + file + ": " + applied.status().message()).c_str());
        return;
      }
      loaded_revision = std::stoll((*applied)["resourceVersion"].get<std::string>());
    }
    const double load_s = Seconds(Clock::now() - load_start);
    Progress(std::to_string(summary->pods) + " pods, " + std::to_string(summary->files.size()) +
             " files applied in " + std::to_string(load_s) + " s (revision " +
             std::to_string(loaded_revision) + ")");

    // The agent of the first pod's node; new pods are its copies.
    Json first_pods = Json::parse(ReadFile(cluster_dir.path() + "/pods-000.json"));
    Json pod = first_pods["items"][0];
    const std::string node = pod["spec"]["nodeName"];
    // One span request at the loaded revision (the controller builds its
    // engine), then one more at the same revision (it reuses it): what each
    // write costs the controller before any agent work.
    auto span_start = Clock::now();
    auto span = client.Span(node);
    const double span_cold_s = Seconds(Clock::now() - span_start);
    span_start = Clock::now();
    span = client.Span(node);
    const double span_warm_s = Seconds(Clock::now() - span_start);
    const size_t span_items = span.ok() ? (*span)["items"].size() : 0;
    Progress("span of " + node + ": " + std::to_string(span_items) + " objects; first request " +
             std::to_string(span_cold_s) + " s, again at the same revision " + std::to_string(span_warm_s) + " s");
    ControllerSourceOptions so;
    so.server = (*controller)->url();
    so.token = (*controller)->token();
    so.node = node;
    ControllerSource source(so);
    RecordingExecutor executor;
    AgentOptions ao;
    ao.node = node;
    ao.poll_interval = 10ms;
    ao.resync_interval = 24h;
    Agent agent(ao, source.policy_source(), &executor);
    agent.set_on_sync([&](const Status& s, const Agent::Snapshot& snap) { source.Report(s, snap); });
    auto sync_start = Clock::now();
    source.Start();
    std::thread runner([&] { agent.Run(); });
    while (source.state().applied_revision < loaded_revision && Clock::now() - sync_start < 600s) {
      std::this_thread::sleep_for(10ms);
    }
    const double first_sync_s = Seconds(Clock::now() - sync_start);
    if (source.state().applied_revision < loaded_revision) {
      agent.Stop();
      runner.join();
      source.Stop();
      state.SkipWithError("the agent's first sync did not finish within 600 s");
      return;
    }
    const size_t plan_elements = agent.snapshot().plan_elements;
    Progress("agent's first sync " + std::to_string(first_sync_s) + " s, plan " + std::to_string(plan_elements) +
             " elements");

    // Steady writes: pod i at start + i * interval, each a new Pod on the
    // agent's node (same labels as its template: the same policies select
    // it), so the node's plan gains its address.
    state.ResumeTiming();
    std::vector<std::pair<std::string, Clock::time_point>> sent;
    auto start = Clock::now();
    for (int i = 0; i < writes; ++i) {
      std::this_thread::sleep_until(start + i * interval);
      std::string ip = "10.255." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
      Json p = pod;
      p["metadata"]["name"] = "bench-churn-" + std::to_string(i);
      p["metadata"]["uid"] = "bench-churn-uid-" + std::to_string(i);
      p["status"]["podIP"] = ip;
      p["status"]["podIPs"] = Json::array({{{"ip", ip}}});
      executor.Await(ip);
      auto t0 = Clock::now();
      auto applied = client.Apply({{"churn.json", p.dump()}});
      if (!applied.ok()) {
        state.SkipWithError(("write: " + applied.status().message()).c_str());
        break;
      }
      sent.emplace_back(ip, t0);
    }
    Progress(std::to_string(sent.size()) + " writes sent");
    std::vector<double> latencies_ms;
    int missed = 0;
    for (const auto& [ip, t0] : sent) {
      auto seen = executor.SeenAt(ip, 600s);
      if (!seen) {
        ++missed;
        continue;
      }
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(*seen - t0).count());
      Progress(ip + " applied " + std::to_string(latencies_ms.back()) + " ms after its write");
    }
    state.PauseTiming();
    agent.Stop();
    runner.join();
    source.Stop();
    (*controller)->Stop();
    state.ResumeTiming();

    state.counters["pods"] = static_cast<double>(summary->pods);
    state.counters["objects_load_s"] = load_s;
    state.counters["first_sync_s"] = first_sync_s;
    state.counters["span_cold_s"] = span_cold_s;
    state.counters["span_warm_s"] = span_warm_s;
    state.counters["span_items"] = static_cast<double>(span_items);
    state.counters["plan_elements"] = static_cast<double>(plan_elements);
    state.counters["writes"] = static_cast<double>(sent.size());
    state.counters["missed"] = missed;
    state.counters["scripts"] = static_cast<double>(executor.scripts());
    state.counters["p50_ms"] = Percentile(latencies_ms, 0.50);
    state.counters["p99_ms"] = Percentile(latencies_ms, 0.99);
    state.counters["max_ms"] = latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  }
}

// {pods, ms between writes, writes}
BENCHMARK(BM_ApiWriteToAgentApplied)
    ->ArgNames({"pods", "every_ms", "writes"})
    ->Args({10000, 200, 100})    // writes faster than a load: one load carries several
    ->Args({10000, 10000, 12})   // one write per load
    ->Args({100000, 1000, 20})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace microseg

BENCHMARK_MAIN();
