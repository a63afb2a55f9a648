// models/autoscaling/target_tracking.h: target tracking as cloud autoscalers do it (AWS
// Application Auto Scaling, GCP managed instance groups).
//
// Every `period` (60 s, one CloudWatch datapoint) the mean of a per-pod metric over the pods is
// compared with the target. The scale-out alarm fires after `scale_out_datapoints` consecutive
// datapoints above the target (3), the scale-in alarm after `scale_in_datapoints` below it
// (15); then desired = ceil(pods x metric / target), within [min, max], no sooner than the
// cooldown after the last action of that direction (scale-out 60 s, scale-in 300 s).
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
  sim::SimTime scale_out_cooldown = sim::seconds(60);
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
  sim::SimTime last_out_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  sim::SimTime last_in_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
};

}  // namespace models
