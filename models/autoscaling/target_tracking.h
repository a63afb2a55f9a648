// models/autoscaling/target_tracking.h: target tracking as AWS Application Auto Scaling documents
// it (docs/autoscalers.md cites each rule).
//
// Every `period` (60 s, one CloudWatch datapoint) the mean of a per-pod metric over the pods is
// a datapoint. The high alarm fires after `scale_out_datapoints` consecutive datapoints above the
// target (3); the low alarm after `scale_in_datapoints` (15) below `scale_in_ratio` (0.9) of it,
// since the policy removes capacity only when the metric is well below the target ("typically
// more than 10% lower"). desired = ceil(pods x metric / target) (capacity added is rounded up,
// capacity removed rounded down), within [min, max].
// Cooldowns (default 300 s, the Application Auto Scaling default for ECS services):
//   - during a scale-out cooldown the capacity the initiating scale-out added counts as current:
//     only a larger desired count scales out again;
//   - scale-in waits for the scale-in cooldown after the last scale-in;
//   - a scale-out is never blocked by a scale-in cooldown, and it ends that cooldown.
// Scale-in can be disabled. Metric: cpu (target in percent of the CPU request),
// requests_per_second or concurrency (target per pod).
#pragma once

#include <string>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/common/scalable_target.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

struct TargetTrackingConfig {
  std::string metric = "cpu";
  double target = 60;  // percent for cpu, else per pod
  sim::SimTime period = sim::seconds(60);
  int scale_out_datapoints = 3;
  int scale_in_datapoints = 15;
  double scale_in_ratio = 0.9;  // the low alarm's threshold, as a fraction of the target
  sim::SimTime scale_out_cooldown = sim::seconds(300);
  sim::SimTime scale_in_cooldown = sim::seconds(300);
  bool disable_scale_in = false;
  int32_t min_replicas = 1;
  int32_t max_replicas = 10;
};

class TargetTracking final : public Autoscaler {
 public:
  TargetTracking(sim::Simulator& sim, const TargetTrackingConfig& cfg, sim::SimTime phase,
                 ScalableTarget& target, const MetricsPipeline& metrics, sim::Recorder& rec);
  void start() override;
  const char* kind() const override { return policy_.kind; }

 private:
  void evaluate();
  PeriodicPolicy policy_;
  TargetTrackingConfig cfg_;
  sim::SimTime phase_;
  const MetricsPipeline& metrics_;
  int above_ = 0, below_ = 0;
  sim::SimTime last_out_ = kLongAgo;
  sim::SimTime last_in_ = kLongAgo;
  int32_t out_desired_ = 0;  // what the scale-out that started the cooldown asked for
};

}  // namespace models
