// models/autoscaling/step_scaling.h: step scaling on CloudWatch-style alarms, as AWS Application
// Auto Scaling documents it (docs/autoscalers.md cites each rule).
//
// Every `period` the mean of a per-pod metric is a datapoint. The scale-out alarm is in ALARM
// while the last `evaluation_periods` datapoints are above its threshold; each evaluation in
// ALARM invokes the policy, which adds the change of the step whose interval [lower, upper)
// (relative to the threshold) holds the breach. The scale-in alarm works the same way below its
// threshold with negative changes. Changes are pods, or percent of the current size with
// `percent: true` (a result above 1 is rounded down, one between 0 and 1 becomes 1, and the
// same mirrored for removals; at least `min_adjustment_magnitude` pods).
// Each alarm's policy has a cooldown (default 300 s):
//   - during a scale-out cooldown the pods the initiating scale-out added count as part of the
//     next one: a larger step adds only the difference (+2, then +3 during the cooldown, adds 1);
//   - scale-in waits for the scale-in cooldown after the last scale-in;
//   - a scale-out is never blocked by a scale-in cooldown, and it ends that cooldown.
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
  std::optional<sim::SimTime> cooldown;  // default: the policy's
};

struct StepScalingConfig {
  std::string metric = "cpu";  // cpu in percent; requests_per_second, concurrency per pod
  sim::SimTime period = sim::seconds(60);
  sim::SimTime cooldown = sim::seconds(300);
  bool percent = false;
  int min_adjustment_magnitude = 0;  // percent: the fewest pods a change moves
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
  // The change in pods of a step from `base` pods (percent rounding, minimum magnitude).
  int32_t pods_for(int change, int32_t base) const;
  PeriodicPolicy policy_;
  StepScalingConfig cfg_;
  sim::SimTime phase_;
  const MetricsPipeline& metrics_;
  int above_ = 0, below_ = 0;
  sim::SimTime last_out_ = kLongAgo;
  sim::SimTime last_in_ = kLongAgo;
  int32_t out_base_ = 0;  // pods before the scale-out that started the cooldown
};

}  // namespace models
