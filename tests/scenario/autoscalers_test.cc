// The rival autoscalers, each on the same site, checked against their defining rules.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "models/autoscaling/predictive_scaler.h"
#include "sim/memory_recorder.h"

using sim::MemoryRecorder;
using sim::SimTime;

namespace {

// One site of 4 one-core pods; load 20/s of 100 ms (50% CPU), then 60/s from 2 minutes.
std::string site_with(
    const std::string& autoscaler,
    const std::string& rate =
        "{profile: steps, steps: [{at: 0s, value: 20/s}, {at: 2m, value: 60/s}]}") {
  return R"(
name: zoo
duration: 15m
seed: 9
metrics: {bucket: 5s}
traffic:
  rate: )" +
         rate + R"(
  request:
    cpu: {dist: constant, value: 100ms}
sites:
  dc:
    cloud: public
    replicas: 4
    deployment:
      pod: {cpu: 1, concurrency: unlimited, queue: 0}
      startup:
        scheduling: {dist: constant, value: 1s}
        container: {dist: constant, value: 1s}
        boot: {dist: constant, value: 5s}
        readiness: {periodSeconds: 5}
    autoscaler:
      )" +
         autoscaler + "\n";
}

MemoryRecorder run(const std::string& yaml) {
  const config::Scenario s = config::load_scenario_text(yaml, "zoo.yaml");
  MemoryRecorder rec;
  REQUIRE(engine::execute(s, s.seed, rec, {}).status == "completed");
  return rec;
}

std::vector<const MemoryRecorder::Event*> scales(const MemoryRecorder& rec,
                                                 const std::string& component) {
  std::vector<const MemoryRecorder::Event*> out;
  for (const auto& e : rec.events_) {
    if (e.component == component && e.kind == "scale") out.push_back(&e);
  }
  return out;
}

int final_desired(const MemoryRecorder& rec) {
  return static_cast<int>(rec.rows("site", "dc").back()->get("replicas_desired"));
}

}  // namespace

TEST_CASE("target tracking scales out after three datapoints above target") {
  const MemoryRecorder rec =
      run(site_with("target_tracking: {metric: cpu, target: 50, min: 2, max: 30}"));
  const auto s = scales(rec, "target_tracking/dc");
  REQUIRE(!s.empty());
  // Datapoints every 60 s; the first one above target is at most 60 s (+ a 15 s metrics
  // window) after the step at 2 m, and the alarm needs three in a row.
  CHECK(s[0]->t >= sim::minutes(2) + sim::minutes(2));
  CHECK(s[0]->t <= sim::minutes(2) + sim::minutes(3) + sim::seconds(15));
  CHECK(s[0]->message.find("above target") != std::string::npos);
  // 60 req/s x 100 ms = 6 cores at 50%: 12 pods; while the pods run saturated the metric reads
  // 100% and target tracking overshoots (to 16), and scale-in needs 15 low datapoints.
  CHECK(final_desired(rec) >= 12);
  CHECK(final_desired(rec) <= 16);
  REQUIRE(s.size() >= 2);
  // Inside the 300 s scale-out cooldown only a larger desired count scales out again.
  CHECK(s[1]->t - s[0]->t >= sim::seconds(60));
}

TEST_CASE("step scaling adds the step's change and waits out the cooldown") {
  const MemoryRecorder rec = run(site_with(R"(step_scaling:
        metric: cpu
        period: 60s
        cooldown: 120s
        scale_out: {threshold: 60, evaluation_periods: 1, steps: [{lower: 0, upper: 20, change: 1}, {lower: 20, change: 3}]}
        min: 2
        max: 30)"));
  const auto s = scales(rec, "step_scaling/dc");
  REQUIRE(s.size() >= 2);
  CHECK(s[0]->message.rfind("scaled 4 -> 7", 0) == 0);  // 100% is 40 above 60: the +3 step
  for (std::size_t i = 1; i < s.size(); ++i) CHECK(s[i]->t - s[i - 1]->t >= sim::seconds(120));
}

TEST_CASE("the Knative autoscaler panics on a surge and does not scale down while panicking") {
  // Concurrency target 2 per pod at 70% on 4-core pods (so concurrency is not queueing): a
  // jump from 20/s to 300/s of 100 ms requests.
  std::string yaml =
      site_with("knative: {target_concurrency: 2, target_utilization: 0.7, min: 1, max: 60}",
                "{profile: steps, steps: [{at: 0s, value: 20/s}, {at: 2m, value: 300/s}, {at: 6m, "
                "value: 20/s}]}");
  yaml.replace(yaml.find("pod: {cpu: 1,"), 13, "pod: {cpu: 4,");
  const MemoryRecorder rec = run(yaml);
  const auto s = scales(rec, "knative/dc");
  SimTime panic = SimTime::max(), leave = SimTime::max();
  for (const auto* e : s) {
    if (e->message == "entering panic mode" && panic.is_max()) panic = e->t;
    if (e->message == "leaving panic mode" && leave.is_max()) leave = e->t;
  }
  REQUIRE(!panic.is_max());
  CHECK(panic >= sim::minutes(2));
  CHECK(panic < sim::minutes(2) + sim::seconds(10));  // 6 s panic window, 2 s ticks
  for (const auto* e : s) {
    if (e->t > panic && e->t < leave && e->message.rfind("scaled ", 0) == 0) {
      const auto arrow = e->message.find(" -> ");
      CHECK(std::stoi(e->message.substr(arrow + 4)) > std::stoi(e->message.substr(7, arrow - 7)));
    }
  }
  CHECK(!leave.is_max());
  CHECK(final_desired(rec) < 10);  // back down once the surge is over
}

TEST_CASE("a scheduled scaler follows its schedule, and sets an HPA's floor") {
  const MemoryRecorder alone =
      run(site_with("scheduled: [{at: 1m, replicas: 9}, {at: 5m, replicas: 3}]"));
  for (const auto* row : alone.rows("site", "dc")) {
    const double want = row->t < sim::minutes(1) ? 4 : row->t < sim::minutes(5) ? 9 : 3;
    CHECK(row->get("replicas_desired") == want);
  }
  const MemoryRecorder with_hpa = run(site_with(R"(hpa:
        minReplicas: 2
        maxReplicas: 30
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
      schedule: [{at: 10m, replicas: 20}])"));
  const auto* last = with_hpa.rows("site", "dc").back();
  CHECK(last->get("replicas_desired") == 20);  // the HPA alone would hold about 12
}

TEST_CASE("least-squares and Holt forecasts extrapolate a trend") {
  std::deque<std::pair<double, double>> line;
  for (int i = 0; i < 10; ++i) line.push_back({10.0 * i, 100.0 + 2.0 * i});  // +0.2 per second
  CHECK(models::PredictiveScaler::forecast_linear(line, 60) == Approx(118 + 12));
  CHECK(models::PredictiveScaler::forecast_holt(line, 60, 0.5, 0.3) == Approx(130).epsilon(0.01));
}

TEST_CASE("the predictive scaler provisions ahead of a ramp") {
  const std::string ramp = "{profile: ramp, from: 20/s, to: 100/s, start: 2m, duration: 10m}";
  const MemoryRecorder pred = run(site_with(
      "predictive: {model: linear, history: 5m, target_utilization: 0.5, min: 2, max: 40}", ramp));
  const MemoryRecorder hpa = run(site_with(R"(hpa:
        minReplicas: 2
        maxReplicas: 40
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}])",
                                           ramp));
  // Over the ramp the forecaster keeps utilization at its 50% target; the reactive HPA acts only
  // once utilization is past its tolerance band, so it runs hotter.
  auto mean_util = [](const MemoryRecorder& r) {
    double sum = 0;
    int n = 0;
    for (const auto* row : r.rows("site", "dc")) {
      if (row->t >= sim::minutes(4) && row->t < sim::minutes(12)) {
        sum += row->get("cpu_util");
        ++n;
      }
    }
    return sum / n;
  };
  INFO("mean utilization over the ramp: predictive " << mean_util(pred) << ", hpa "
                                                     << mean_util(hpa));
  CHECK(mean_util(pred) < mean_util(hpa));
  CHECK(mean_util(pred) < 0.53);
  bool forecast_above = false;
  for (const auto& smp : pred.samples_) {
    forecast_above |= smp.component == "predictive/dc" && smp.name == "forecast_rps" &&
                      smp.t > sim::minutes(5) && smp.value > 60;
  }
  CHECK(forecast_above);
}
