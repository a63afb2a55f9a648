// models/autoscaling/step_scaling.h: step scaling on CloudWatch-style alarms (AWS step scaling
// policies).
//
// Every `period` the mean of a per-pod metric is a datapoint. The scale-out alarm is in ALARM
// after `evaluation_periods` consecutive datapoints above its threshold; the policy then adds
// the change of the step whose interval [lower, upper) (relative to the threshold) holds the
// breach size. The scale-in alarm works the same way below its threshold with negative changes.
// Changes are pods, or percent of the current size with `percent: true` (rounded away from
// zero, at least one pod). After an action, no other action for `cooldown`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"

namespace models {

struct StepAdjustment {
  std::optional<double> lower;  // relative to the threshold; none = -infinity
  std::optional<double> upper;  // none = +infinity
  int change = 1;
};

struct StepAlarm {
  double threshold = 0;
  int evaluation_periods = 1;
  std::vector<StepAdjustment> steps;
  bool enabled = false;
};

struct StepScalingConfig {
  std::string metric = "cpu";  // cpu in percent; requests_per_second, concurrency per pod
  sim::SimTime period = sim::seconds(60);
  sim::SimTime cooldown = sim::seconds(300);
  bool percent = false;
  StepAlarm scale_out, scale_in;
  int32_t min_replicas = 1;
  int32_t max_replicas = 10;
};

class StepScaling final : public Autoscaler {
 public:
  StepScaling(sim::Simulator& sim, const StepScalingConfig& cfg, sim::SimTime phase,
              ScalableTarget& target, const MetricsPipeline& metrics, sim::Recorder& rec);
  void start() override;
  const char* kind() const override { return policy_.kind; }

 private:
  void evaluate();
  int step_change(const StepAlarm& alarm, double breach) const;
  PeriodicPolicy policy_;
  StepScalingConfig cfg_;
  sim::SimTime phase_;
  const MetricsPipeline& metrics_;
  int above_ = 0, below_ = 0;
  sim::SimTime last_action_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
};

}  // namespace models
