// Controller propagation: how long from an API write to the agent applying
// it, with a large cluster in the store and pods churning at a steady rate.
//
//   DELETE /api/v1/objects/pod/NAME?namespace=NS, or      t0
//   POST /api/v1/apply (the same pod, a new UID and IP, same labels)
//     -> store commit -> the controller's live engine (store watch)
//     -> the node's span delta log -> GET /api/v1/watch?node= stream
//     -> agent: decode the delta, Upsert/Delete in its kept engine, patch
//        (or compile) the plan, diff against the last plan
//     -> the nft script naming the pod's (old or new) IP is run   t1
//
// The churned pods are peers of the agent's node on other nodes (objects
// of its span): each event changes the agent's plan. Everything is in one
// process: an in-process Controller on 127.0.0.1 (SQLite in a temp dir,
// synchronous=FULL), one Agent fed by a ControllerSource, and a recording
// fake executor in place of the kernel (t1 is when libnftables would have
// been handed the script; the kernel's own transaction time is in
// "Dataplane"). Writers keep a schedule (events/s), whatever the latency.
//
// Results and the command are in docs/PERFORMANCE.md ("Controller").
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
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
// awaited address was run after the wait began.
class RecordingExecutor : public nft::NftExecutor {
 public:
  Status Run(const std::string& script) override {
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    ++scripts_;
    for (auto it = awaited_.begin(); it != awaited_.end();) {
      if (NamesAddress(script, it->first)) {
        for (size_t id : it->second) seen_[id] = now;
        it = awaited_.erase(it);
      } else {
        ++it;
      }
    }
    cv_.notify_all();
    return Status::Ok();
  }
  Result<std::optional<std::string>> ListTableJson() override { return std::optional<std::string>(); }

  // Event `id` is done when a script names `ip`.
  void Await(size_t id, const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    awaited_[ip].push_back(id);
  }
  // When event `id`'s script ran, waiting at most until `deadline`.
  std::optional<Clock::time_point> SeenAt(size_t id, Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return seen_.count(id) > 0; })) return std::nullopt;
    return seen_[id];
  }
  uint64_t scripts() {
    std::lock_guard<std::mutex> lock(mu_);
    return scripts_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<size_t>> awaited_;
  std::map<size_t, Clock::time_point> seen_;
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

// One churned pod: its document and the addresses it has had.
struct ChurnPod {
  Json doc;  // as applied (no resourceVersion)
  std::string ip;  // current
  bool present = true;
  int generation = 0;
};

// A free address for a recreated pod: 10.200.0.1 upwards (the generator's
// pods use 10.0.0.0/24 per node, 5000 nodes at most: below 10.20.0.0), in
// the same 10.0.0.0/8 as the pods it replaces, so the same address blocks
// cover it.
std::string NextAddress(std::atomic<uint32_t>* counter) {
  uint32_t n = (*counter)++;
  uint32_t host = n % 250 + 1, rest = n / 250;
  return "10." + std::to_string(200 + rest / 256) + "." + std::to_string(rest % 256) + "." +
         std::to_string(host);
}

// Args: pods in the cluster, pod events per second, seconds of churn.
void BM_ApiWriteToAgentApplied(benchmark::State& state) {
  const size_t pods = static_cast<size_t>(state.range(0));
  const int rate = static_cast<int>(state.range(1));
  const int seconds = static_cast<int>(state.range(2));
  constexpr int kWriters = 4;
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

    // The agent of the first pod's node.
    Json first_pods = Json::parse(ReadFile(cluster_dir.path() + "/pods-000.json"));
    const std::string node = first_pods["items"][0]["spec"]["nodeName"];
    // The first span request builds the controller's live engine (list,
    // decode, index) and the node's span; a second one is served from it.
    auto span_start = Clock::now();
    auto span = client.Span(node);
    const double span_cold_s = Seconds(Clock::now() - span_start);
    span_start = Clock::now();
    span = client.Span(node);
    const double span_warm_s = Seconds(Clock::now() - span_start);
    if (!span.ok()) {
      state.SkipWithError(("span: " + span.status().message()).c_str());
      return;
    }
    const size_t span_items = (*span)["items"].size();
    Progress("span of " + node + ": " + std::to_string(span_items) + " objects; first request " +
             std::to_string(span_cold_s) + " s (live engine built), again " + std::to_string(span_warm_s) + " s");

    // Pods to churn: peers of the node on other nodes.
    std::vector<ChurnPod> churn;
    for (const Json& item : (*span)["items"]) {
      if (item["kind"] != "Pod" || item["spec"].value("nodeName", "") == node) continue;
      if (!item.contains("status") || !item["status"].contains("podIP")) continue;
      ChurnPod c;
      c.doc = item;
      c.doc["metadata"].erase("resourceVersion");
      c.ip = item["status"]["podIP"];
      churn.push_back(std::move(c));
      if (churn.size() >= static_cast<size_t>(std::max(2 * rate, 200))) break;
    }
    if (churn.size() < static_cast<size_t>(kWriters)) {
      state.SkipWithError("too few peer pods to churn");
      return;
    }

    ControllerSourceOptions so;
    so.server = (*controller)->url();
    so.token = (*controller)->token();
    so.node = node;
    ControllerSource source(so);
    RecordingExecutor executor;
    AgentOptions ao;
    ao.node = node;
    ao.poll_interval = 100ms;  // the span stream wakes the agent
    ao.resync_interval = 24h;
    Agent agent(ao, source.policy_source(), &executor);
    agent.set_on_sync([&](const Status& s, const Agent::Snapshot& snap) { source.Report(s, snap); });
    auto sync_start = Clock::now();
    source.Start();
    std::thread runner([&] { agent.Run(); });
    while (source.state().applied_revision < loaded_revision && Clock::now() - sync_start < 900s) {
      std::this_thread::sleep_for(10ms);
    }
    const double first_sync_s = Seconds(Clock::now() - sync_start);
    if (source.state().applied_revision < loaded_revision) {
      agent.Stop();
      runner.join();
      source.Stop();
      state.SkipWithError("the agent's first sync did not finish within 900 s");
      return;
    }
    while (!source.state().watching && Clock::now() - sync_start < 900s) std::this_thread::sleep_for(10ms);
    const size_t plan_elements = agent.snapshot().plan_elements;
    Progress("agent's first sync " + std::to_string(first_sync_s) + " s, plan " + std::to_string(plan_elements) +
             " elements; churning " + std::to_string(churn.size()) + " peer pods at " + std::to_string(rate) +
             " events/s for " + std::to_string(seconds) + " s");

    // Steady churn: writer w owns pods w, w+kWriters, ...; its events are
    // delete, recreate (new UID and IP, same labels), on pod after pod.
    state.ResumeTiming();
    const Agent::Snapshot before = agent.snapshot();
    const int total = rate * seconds;
    const auto interval = std::chrono::nanoseconds(1000000000LL * kWriters / rate);
    std::mutex mu;
    std::vector<std::pair<size_t, Clock::time_point>> sent;  // event id, t0
    std::atomic<int> failed{0};
    std::atomic<uint32_t> next_address{0};
    auto start = Clock::now() + 50ms;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        ApiClient c((*controller)->url(), (*controller)->token());
        std::vector<ChurnPod*> mine;
        for (size_t i = w; i < churn.size(); i += kWriters) mine.push_back(&churn[i]);
        for (int j = 0; w + j * kWriters < total; ++j) {
          const size_t id = static_cast<size_t>(w + j * kWriters);
          std::this_thread::sleep_until(start + j * interval);
          ChurnPod& p = *mine[(static_cast<size_t>(j) / 2) % mine.size()];
          Result<Json> done = Status::Ok();
          auto t0 = Clock::now();
          if (p.present) {
            executor.Await(id, p.ip);
            t0 = Clock::now();
            done = c.Delete("pod", p.doc["metadata"]["name"].get<std::string>(),
                            p.doc["metadata"]["namespace"].get<std::string>());
            p.present = false;
          } else {
            p.ip = NextAddress(&next_address);
            ++p.generation;
            p.doc["metadata"]["uid"] =
                p.doc["metadata"]["name"].get<std::string>() + "-gen-" + std::to_string(p.generation);
            p.doc["status"]["podIP"] = p.ip;
            p.doc["status"]["podIPs"] = Json::array({{{"ip", p.ip}}});
            executor.Await(id, p.ip);
            t0 = Clock::now();
            done = c.Apply({{"churn.json", p.doc.dump()}});
            p.present = true;
          }
          if (!done.ok()) {
            if (failed++ == 0) Progress("write failed: " + done.status().message());
            continue;
          }
          std::lock_guard<std::mutex> lock(mu);
          sent.emplace_back(id, t0);
        }
      });
    }
    for (std::thread& t : writers) t.join();
    const double write_s = Seconds(Clock::now() - start);
    Progress(std::to_string(sent.size()) + " events written in " + std::to_string(write_s) + " s");
    std::vector<double> latencies_ms;
    int missed = 0;
    const auto deadline = Clock::now() + 120s;
    for (const auto& [id, t0] : sent) {
      auto seen = executor.SeenAt(id, deadline);
      if (!seen) {
        ++missed;
        continue;
      }
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(*seen - t0).count());
    }
    state.PauseTiming();
    const Agent::Snapshot after = agent.snapshot();
    Progress("delta syncs " + std::to_string(after.delta_syncs - before.delta_syncs) + ", patched " +
             std::to_string(after.patched - before.patched) + "; last compile because: " + after.patch_refusal +
             "; per delta sync: plan " + std::to_string((after.delta_plan_ms - before.delta_plan_ms) / std::max<double>(1, after.delta_syncs - before.delta_syncs)) +
             " ms, dataplane (diff, render, run) " +
             std::to_string((after.delta_apply_ms - before.delta_apply_ms) / std::max<double>(1, after.delta_syncs - before.delta_syncs)) + " ms");
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
    state.counters["events"] = static_cast<double>(sent.size());
    state.counters["events_per_s"] = static_cast<double>(sent.size()) / write_s;
    state.counters["failed"] = failed.load();
    state.counters["missed"] = missed;
    state.counters["scripts"] = static_cast<double>(executor.scripts());
    state.counters["syncs"] = static_cast<double>(after.delta_syncs - before.delta_syncs);
    state.counters["patched"] = static_cast<double>(after.patched - before.patched);
    state.counters["p50_ms"] = Percentile(latencies_ms, 0.50);
    state.counters["p90_ms"] = Percentile(latencies_ms, 0.90);
    state.counters["p99_ms"] = Percentile(latencies_ms, 0.99);
    state.counters["max_ms"] = latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  }
}

// {pods, pod events per second, seconds}
BENCHMARK(BM_ApiWriteToAgentApplied)
    ->ArgNames({"pods", "events_per_s", "seconds"})
    ->Args({10000, 1000, 10})
    ->Args({100000, 1000, 20})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace microseg

BENCHMARK_MAIN();
