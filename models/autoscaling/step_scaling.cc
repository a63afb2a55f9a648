#include "models/autoscaling/step_scaling.h"

#include <cmath>
#include <cstdlib>

namespace models {

StepScaling::StepScaling(sim::Simulator& sim, const StepScalingConfig& cfg, sim::SimTime phase,
                         ScalableTarget& target, const MetricsPipeline& metrics, sim::Recorder& rec)
    : policy_(sim, target, rec, "step_scaling"), cfg_(cfg), phase_(phase), metrics_(metrics) {}

void StepScaling::start() {
  policy_.every(phase_ + cfg_.period, cfg_.period, [this] { evaluate(); });
}

int StepScaling::step_change(const StepAlarm& alarm, double breach) const {
  for (const StepAdjustment& s : alarm.steps) {
    const bool above_lower = !s.lower || breach >= *s.lower;
    const bool below_upper = !s.upper || breach < *s.upper;
    if (above_lower && below_upper) return s.change;
  }
  return 0;
}

int32_t StepScaling::pods_for(int change, int32_t base) const {
  if (!cfg_.percent) return change;
  // Application Auto Scaling's rounding of PercentChangeInCapacity: toward zero beyond one pod,
  // one pod within (0, 1).
  const double d = base * change / 100.0;
  int32_t pods = static_cast<int32_t>(std::trunc(d));
  if (pods == 0) pods = d > 0 ? 1 : -1;
  if (std::abs(pods) < cfg_.min_adjustment_magnitude)
    pods = pods > 0 ? cfg_.min_adjustment_magnitude : -cfg_.min_adjustment_magnitude;
  return pods;
}

void StepScaling::evaluate() {
  const auto m = metrics_.pod_mean(cfg_.metric);
  if (!m) return;
  const double value = cfg_.metric == "cpu" ? *m * 100.0 : *m;
  policy_.sample(cfg_.metric, value);
  above_ = cfg_.scale_out.enabled && value > cfg_.scale_out.threshold ? above_ + 1 : 0;
  below_ = cfg_.scale_in.enabled && value < cfg_.scale_in.threshold ? below_ + 1 : 0;
  const sim::SimTime now = policy_.sim.now();
  const int32_t current = policy_.target.spec_replicas();
  sim::EventDetails details;
  details.add("metric", cfg_.metric).add("value", value);
  if (above_ >= cfg_.scale_out.evaluation_periods) {
    const int change = step_change(cfg_.scale_out, value - cfg_.scale_out.threshold);
    if (change == 0) return;
    // In the cooldown the pods the initiating scale-out added are part of this one.
    const bool cooling = now - last_out_ < cfg_.scale_out.cooldown.value_or(cfg_.cooldown);
    const int32_t base = cooling ? out_base_ : current;
    const int32_t desired = base + pods_for(change, base);
    if (desired <= current) return;
    if (!cooling) {
      last_out_ = now;
      out_base_ = current;
    }
    last_in_ = kLongAgo;  // a scale-out ends the scale-in cooldown
    details.add("threshold", cfg_.scale_out.threshold).add("change", desired - current);
    details.add("larger_during_cooldown", cooling);
    policy_.decide(desired, cfg_.min_replicas, cfg_.max_replicas, cfg_.metric + " alarm high",
                   details);
  } else if (below_ >= cfg_.scale_in.evaluation_periods &&
             now - last_in_ >= cfg_.scale_in.cooldown.value_or(cfg_.cooldown)) {
    const int change = step_change(cfg_.scale_in, value - cfg_.scale_in.threshold);
    if (change == 0) return;
    const int32_t delta = pods_for(change, current);
    last_in_ = now;
    details.add("threshold", cfg_.scale_in.threshold).add("change", delta);
    policy_.decide(current + delta, cfg_.min_replicas, cfg_.max_replicas,
                   cfg_.metric + " alarm low", details);
  }
}

}  // namespace models
