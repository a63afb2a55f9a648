// Target tracking and step scaling against Application Auto Scaling's documented cooldown rules:
// a larger scale-out during a scale-out cooldown, a scale-out that a scale-in cooldown does not
// block (and that ends it), step +2 then +3 adding only 1, the low alarm at 90% of the target,
// and the rounding of percent steps.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/autoscaling/metrics_pipeline.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

// A workload whose `ready` pods each use `util` of their one-core request. New pods never
// become ready, so the metric stays what the test says while capacity is on its way.
class FakeTarget final : public ScalableTarget {
 public:
  FakeTarget(sim::Simulator& sim, int32_t replicas)
      : sim_(sim), spec_(replicas), ready_(replicas) {}
  void set_util(double u) {
    area_ += util_ * static_cast<double>((sim_.now() - since_).ns());
    since_ = sim_.now();
    util_ = u;
  }
  void set_ready(int32_t n) { ready_ = n; }
  const std::string& target_name() const override { return name_; }
  int32_t spec_replicas() const override { return spec_; }
  int32_t status_replicas() const override { return spec_; }
  int32_t ready_replicas() const override { return ready_; }
  void scale_to(int32_t replicas, std::string_view) override { spec_ = replicas; }
  void snapshot_pods(std::vector<PodSnapshot>* out) override {
    out->clear();
    const double area = area_ + util_ * static_cast<double>((sim_.now() - since_).ns());
    for (int32_t i = 0; i < ready_; ++i) {
      PodSnapshot p;
      p.id = static_cast<uint32_t>(i);
      p.name = "p" + std::to_string(i);
      p.scheduled = p.running = p.ready = true;
      p.cpu_request = 1;
      p.cpu_used_core_ns = area;
      out->push_back(p);
    }
  }
  WorkloadSignals signals() override { return {}; }
  SimTime observed_start_latency() const override { return SimTime::zero(); }

 private:
  sim::Simulator& sim_;
  std::string name_ = "fake";
  int32_t spec_, ready_;
  double util_ = 0.5, area_ = 0;
  SimTime since_;
};

struct Bench {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  FakeTarget target;
  MetricsPipeline metrics;
  explicit Bench(int32_t replicas) : target(sim, replicas), metrics(sim, {}, target) {}
  // At `at`, the pods' CPU becomes `util` (a fraction of the request).
  void util_at(SimTime at, double util) {
    sim.schedule_at(at, [this, util] { target.set_util(util); });
  }
  struct Scale {
    SimTime t;
    std::string message;
  };
  std::vector<Scale> scales() const {
    std::vector<Scale> out;
    for (const auto& e : rec.events_) {
      if (e.kind == "scale") out.push_back({e.t, e.message});
    }
    return out;
  }
};

bool starts(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("target tracking: a larger scale-out goes ahead during the scale-out cooldown") {
  // 10 pods at 90% of a 60% target: desired 15 after three high datapoints (60, 120, 180 s).
  // The added pods never get ready, so the metric stays 90%: 15 again, nothing to do. At 120%
  // the desired count is 20, larger than the cooldown's 15: it scales out at once, 300 s
  // cooldown or not.
  Bench b(10);
  b.util_at(SimTime::zero(), 0.9);
  b.util_at(seconds(250), 1.2);
  TargetTrackingConfig cfg;
  cfg.target = 60;
  cfg.max_replicas = 100;
  TargetTracking tt(b.sim, cfg, SimTime::zero(), b.target, b.metrics, b.rec);
  b.metrics.start();
  tt.start();
  b.sim.run_until(seconds(400));
  const auto s = b.scales();
  REQUIRE(s.size() == 2);
  CHECK(s[0].t == seconds(180));
  CHECK(starts(s[0].message, "scaled 10 -> 15"));
  CHECK(s[1].t == seconds(300));  // the first datapoint wholly at 120%, 120 s into the cooldown
  CHECK(starts(s[1].message, "scaled 15 -> 20"));
  CHECK(cfg.scale_out_cooldown == seconds(300));  // Application Auto Scaling's default
}

TEST_CASE("target tracking: a scale-out is not blocked by the scale-in cooldown, and ends it") {
  // One low datapoint scales in (20 -> 10 at 30%); the scale-in cooldown is 10 minutes. A surge
  // scales out at once; when the load falls again the next scale-in need not wait for the old
  // cooldown.
  Bench b(20);
  b.util_at(SimTime::zero(), 0.3);
  b.util_at(seconds(70), 0.9);
  b.util_at(seconds(190), 0.2);
  TargetTrackingConfig cfg;
  cfg.target = 60;
  cfg.scale_out_datapoints = 1;
  cfg.scale_in_datapoints = 1;
  cfg.scale_in_cooldown = seconds(600);
  cfg.scale_out_cooldown = SimTime::zero();
  cfg.max_replicas = 100;
  TargetTracking tt(b.sim, cfg, SimTime::zero(), b.target, b.metrics, b.rec);
  b.metrics.start();
  tt.start();
  b.sim.schedule_at(seconds(61), [&] { b.target.set_ready(10); });
  b.sim.run_until(seconds(300));
  const auto s = b.scales();
  REQUIRE(s.size() == 3);
  CHECK(s[0].t == seconds(60));
  CHECK(starts(s[0].message, "scaled 20 -> 10"));
  CHECK(s[1].t == seconds(120));  // inside the scale-in cooldown
  CHECK(starts(s[1].message, "scaled 10 -> 15"));
  CHECK(s[2].t == seconds(240));  // the scale-out ended the cooldown that ran to 660 s
  CHECK(starts(s[2].message, "scaled 15 -> 4"));
}

TEST_CASE("target tracking: the low alarm waits for the metric to be 10% under the target") {
  // 20 pods against a 60% target: at 55% removing pods would keep the metric under the target
  // (desired 19), but 55% is above the low alarm (54%): no scale-in in 30 minutes. At 50% it
  // scales in after 15 low datapoints.
  for (const double util : {0.55, 0.50}) {
    Bench b(20);
    b.util_at(SimTime::zero(), util);
    TargetTrackingConfig cfg;
    cfg.target = 60;
    cfg.max_replicas = 100;
    TargetTracking tt(b.sim, cfg, SimTime::zero(), b.target, b.metrics, b.rec);
    b.metrics.start();
    tt.start();
    b.sim.run_until(sim::minutes(30));
    const auto s = b.scales();
    if (util > 0.54) {
      CHECK(s.empty());
    } else {
      REQUIRE(s.size() == 1);
      CHECK(s[0].t == sim::minutes(15));
      CHECK(starts(s[0].message, "scaled 20 -> 17"));
    }
  }
}

namespace {
StepScalingConfig two_steps() {
  StepScalingConfig c;
  c.cooldown = seconds(300);
  c.max_replicas = 100;
  c.scale_out.enabled = true;
  c.scale_out.threshold = 60;
  c.scale_out.steps = {{0.0, 20.0, 2}, {20.0, std::nullopt, 3}};
  return c;
}
}  // namespace

TEST_CASE("step scaling: +2, then a +3 step during the cooldown adds only 1") {
  // The example of the Application Auto Scaling guide. 70% breaches the +2 step (10 -> 12); in
  // the cooldown 85% breaches the +3 step: the 2 pods added count, so 13; the same step again
  // adds nothing until the cooldown ends, then +3 from the current count.
  Bench b(10);
  b.util_at(SimTime::zero(), 0.7);
  b.util_at(seconds(70), 0.85);
  StepScaling ss(b.sim, two_steps(), SimTime::zero(), b.target, b.metrics, b.rec);
  b.metrics.start();
  ss.start();
  b.sim.run_until(seconds(400));
  const auto s = b.scales();
  REQUIRE(s.size() == 3);
  CHECK(s[0].t == seconds(60));
  CHECK(starts(s[0].message, "scaled 10 -> 12"));
  CHECK(s[1].t == seconds(120));
  CHECK(starts(s[1].message, "scaled 12 -> 13"));
  CHECK(s[2].t == seconds(360));  // the cooldown from 60 s is over
  CHECK(starts(s[2].message, "scaled 13 -> 16"));
}

TEST_CASE("step scaling: scale-in waits for its cooldown, a scale-out does not, and ends it") {
  StepScalingConfig c = two_steps();
  c.scale_in.enabled = true;
  c.scale_in.threshold = 40;
  c.scale_in.steps = {{std::nullopt, 0.0, -2}};
  c.scale_in.cooldown = seconds(600);
  Bench b(10);
  b.util_at(SimTime::zero(), 0.3);
  b.util_at(seconds(130), 0.7);
  b.util_at(seconds(190), 0.3);
  StepScaling ss(b.sim, c, SimTime::zero(), b.target, b.metrics, b.rec);
  b.metrics.start();
  ss.start();
  b.sim.run_until(seconds(290));
  const auto s = b.scales();
  REQUIRE(s.size() == 3);
  CHECK(starts(s[0].message, "scaled 10 -> 8"));  // at 60 s; 120 s is in its cooldown
  CHECK(s[1].t == seconds(180));
  CHECK(starts(s[1].message, "scaled 8 -> 10"));
  CHECK(s[2].t == seconds(240));  // the old scale-in cooldown (to 660 s) ended at 180 s
  CHECK(starts(s[2].message, "scaled 10 -> 8"));
}

TEST_CASE("step scaling: percent changes round toward zero, at least one pod, or the minimum") {
  auto first_scale = [](int32_t pods, int percent, int min_magnitude) {
    StepScalingConfig c = two_steps();
    c.percent = true;
    c.min_adjustment_magnitude = min_magnitude;
    c.scale_out.steps = {{0.0, std::nullopt, percent}};
    Bench b(pods);
    b.util_at(SimTime::zero(), 0.9);
    StepScaling ss(b.sim, c, SimTime::zero(), b.target, b.metrics, b.rec);
    b.metrics.start();
    ss.start();
    b.sim.run_until(seconds(61));
    return b.target.spec_replicas() - pods;
  };
  CHECK(first_scale(10, 25, 0) == 2);  // 2.5 rounds down
  CHECK(first_scale(2, 25, 0) == 1);   // 0.5 becomes 1
  CHECK(first_scale(4, 25, 2) == 2);   // the guide's example: 25% of 4 is 1, at least 2
  CHECK(first_scale(20, 37, 0) == 7);  // 7.4
}

TEST_CASE("metrics pipeline: a pod that stops running loses its readings, and starts afresh") {
  // Readings every 15 s. Pods p2 and p3 stop running at 40 s and run again at 50 s: at the
  // reading of 60 s they are a baseline again (no CPU sample from a window that spans their
  // absence), at 75 s they have one. Memory needs no baseline.
  Bench b(4);
  b.util_at(SimTime::zero(), 0.5);
  b.sim.schedule_at(seconds(40), [&b] { b.target.set_ready(2); });
  b.sim.schedule_at(seconds(50), [&b] { b.target.set_ready(4); });
  b.metrics.start();
  b.sim.run_until(seconds(35));
  CHECK(b.metrics.cpu().size() == 4);
  b.sim.run_until(seconds(50));
  CHECK(b.metrics.cpu().size() == 2);
  CHECK(b.metrics.memory().size() == 2);
  b.sim.run_until(seconds(65));
  CHECK(b.metrics.cpu().size() == 2);
  CHECK(b.metrics.cpu().count("p2") == 0);
  CHECK(b.metrics.memory().size() == 4);
  b.sim.run_until(seconds(80));
  REQUIRE(b.metrics.cpu().size() == 4);
  CHECK(b.metrics.cpu().at("p3").window == seconds(15));
  CHECK(b.metrics.pod_mean("cpu").value() == Approx(0.5));
}
