// Node scale-down, graceful termination, warm-up, rollout availability and custom-metric HPAs.
#include <catch2/catch.hpp>

#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

using sim::MemoryRecorder;
using sim::SimTime;

namespace {

MemoryRecorder run(const std::string& yaml) {
  const config::Scenario s = config::load_scenario_text(yaml, "c.yaml");
  MemoryRecorder rec;
  REQUIRE(engine::execute(s, s.seed, rec, {}).status == "completed");
  return rec;
}

bool has_event(const MemoryRecorder& rec, const std::string& text) {
  for (const auto& e : rec.events_) {
    if (e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the cluster autoscaler removes nodes that stay under-used") {
  // 6 nodes of 2 cores, 12 pods; the HPA shrinks to 2 pods, leaving nodes empty. Nodes go after
  // 10 minutes unneeded (and 10 minutes after the last scale-up).
  const MemoryRecorder rec = run(R"(
name: ca-down
duration: 40m
traffic: {rate: 5/s, request: {cpu: {dist: constant, value: 100ms}}}
sites:
  dc:
    cloud: public
    nodes:
      count: 6
      cpu: 2
      autoscale: {min: 1, max: 10, scale_down_unneeded_time: 10m, scale_down_delay_after_add: 10m}
    replicas: 12
    deployment:
      pod: {cpu: 1}
    autoscaler:
      hpa:
        minReplicas: 2
        maxReplicas: 20
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
)");
  const auto rows = rec.rows("site", "dc");
  CHECK(rows.front()->get("nodes") == 6);
  CHECK(rows.back()->get("nodes") < 6);
  CHECK(rows.back()->get("nodes") >= 1);
  SimTime first_removed = SimTime::max();
  for (const auto& e : rec.events_) {
    if (e.kind == "node" && e.message.find("removed") != std::string::npos &&
        first_removed.is_max())
      first_removed = e.t;
  }
  REQUIRE(!first_removed.is_max());
  // The HPA's first scale-down is held 5 min; nodes then need 10 min of being unneeded.
  CHECK(first_removed >= sim::minutes(15));
}

TEST_CASE("deleted pods drain, and requests still running at the grace period are aborted") {
  // Long requests (20 s of CPU) and a 5 s grace period: scaling down kills requests.
  const MemoryRecorder rec = run(R"(
name: grace
duration: 3m
traffic: {rate: 1/s, request: {cpu: {dist: constant, value: 20s}}}
sites:
  dc:
    cloud: private
    replicas: 40
    deployment:
      pod: {cpu: 1, concurrency: unlimited, queue: 0}
      termination_grace: 5s
    autoscaler: {scheduled: [{at: 1m, replicas: 2}]}
)");
  double aborted = 0;
  for (const auto* row : rec.rows("site", "dc")) aborted += row->get("failed_aborted");
  CHECK(aborted > 0);
  CHECK(has_event(rec, "deleted (scale down)"));
  // A drained pod terminates as soon as its last request is done: some pods end within the
  // grace period, the rest exactly at its end.
  SimTime last_terminated = SimTime::zero();
  for (const auto& e : rec.events_) {
    if (e.message.find(" terminated") != std::string::npos)
      last_terminated = std::max(last_terminated, e.t);
  }
  CHECK(last_terminated == sim::minutes(1) + sim::seconds(5));
}

TEST_CASE("a cold pod serves slower until it warms up") {
  // Warm-up factor 2 (3x service time at first) with tau 30 s: the first requests on a new pod
  // take about 3x as long.
  const MemoryRecorder rec = run(R"(
name: warm
duration: 4m
metrics: {bucket: 10s}
traffic: {rate: 1/s, request: {cpu: {dist: constant, value: 100ms}}}
sites:
  dc:
    cloud: private
    replicas: 0
    deployment:
      pod: {cpu: 1, concurrency: unlimited, queue: 0}
      startup:
        scheduling: {dist: constant, value: 1s}
        pull: {dist: constant, value: 1s}
        container: {dist: constant, value: 1s}
        boot: {dist: constant, value: 1s}
        readiness: {periodSeconds: 1}
        warmup: {factor: 2.0, tau: 30s}
    autoscaler: {scheduled: [{at: 10s, replicas: 1}]}
)");
  // The pod serves from about 15 s (schedule 10 s + 5 s of start-up).
  double early = -1, late_sum = 0, late_n = 0;
  for (const auto* row : rec.rows("site", "dc")) {
    if (early < 0 && row->get("completions") > 0) early = row->get("rt_mean_s");
    if (row->t >= sim::seconds(180)) {
      late_sum += row->get("rt_mean_s") * row->get("completions");
      late_n += row->get("completions");
    }
  }
  INFO("first bucket mean " << early << " s, last minute mean " << late_sum / late_n << " s");
  CHECK(early > 0.25);              // about 3x the 100 ms (plus processor sharing at rho 0.3)
  CHECK(late_sum / late_n < 0.13);  // warm: M/D/1-PS at rho 0.1 has mean 0.111 s
}

TEST_CASE("a rolling update with maxUnavailable 0 never drops below the desired ready pods") {
  const MemoryRecorder rec = run(R"(
name: roll
duration: 5m
traffic: {rate: 20/s, request: {cpu: {dist: exponential, mean: 50ms}}}
sites:
  dc:
    cloud: private
    nodes: {count: 2, cpu: 8}
    replicas: 6
    deployment:
      image: {name: app:1, size: 200MB}
      pod: {cpu: 1}
      startup: {pull: {bandwidth: 20MB/s}}
events:
  - {at: 30s, rollout: {site: dc, image: {name: app:2, size: 200MB}, maxSurge: 2, maxUnavailable: 0}}
)");
  int max_pods = 0;
  for (const auto* row : rec.rows("site", "dc")) {
    CHECK(row->get("replicas_ready") >= 6);
    max_pods = std::max(
        max_pods, static_cast<int>(row->get("replicas_ready") + row->get("replicas_starting") +
                                   row->get("replicas_pending")));
  }
  CHECK(max_pods <= 8);  // desired + maxSurge
  CHECK(has_event(rec, "rollout to app:2 complete"));
  int steps = 0;
  for (const auto& e : rec.events_) steps += e.kind == "rollout" ? 1 : 0;
  CHECK(steps >= 4);
}

TEST_CASE("an HPA on a Pods metric (requests per second per pod) scales with the request rate") {
  const MemoryRecorder rec = run(R"(
name: rps
duration: 10m
traffic:
  rate: {profile: steps, steps: [{at: 0s, value: 40/s}, {at: 2m, value: 160/s}]}
  request: {cpu: {dist: constant, value: 20ms}}
sites:
  dc:
    cloud: public
    replicas: 4
    deployment:
      pod: {cpu: 1}
    autoscaler:
      hpa:
        minReplicas: 2
        maxReplicas: 40
        metrics:
          - type: Pods
            pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "10"}}
)");
  // 160 req/s at 10 per pod: 16 pods.
  const auto* last = rec.rows("site", "dc").back();
  CHECK(last->get("replicas_desired") >= 15);
  CHECK(last->get("replicas_desired") <= 17);
}
