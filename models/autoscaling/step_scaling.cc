#include "models/autoscaling/step_scaling.h"

#include <cmath>

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

void StepScaling::evaluate() {
  const auto m = metrics_.pod_mean(cfg_.metric);
  if (!m) return;
  const double value = cfg_.metric == "cpu" ? *m * 100.0 : *m;
  policy_.sample(cfg_.metric, value);
  above_ = cfg_.scale_out.enabled && value > cfg_.scale_out.threshold ? above_ + 1 : 0;
  below_ = cfg_.scale_in.enabled && value < cfg_.scale_in.threshold ? below_ + 1 : 0;
  if (policy_.sim.now() - last_action_ < cfg_.cooldown) return;
  const StepAlarm* alarm = nullptr;
  if (above_ >= cfg_.scale_out.evaluation_periods && cfg_.scale_out.enabled)
    alarm = &cfg_.scale_out;
  else if (below_ >= cfg_.scale_in.evaluation_periods && cfg_.scale_in.enabled)
    alarm = &cfg_.scale_in;
  if (alarm == nullptr) return;
  const int change = step_change(*alarm, value - alarm->threshold);
  if (change == 0) return;
  const int32_t current = policy_.target.spec_replicas();
  int32_t delta = change;
  if (cfg_.percent) {
    const double d = current * change / 100.0;
    delta = static_cast<int32_t>(d > 0 ? std::ceil(d) : std::floor(d));
    if (delta == 0) delta = change > 0 ? 1 : -1;
  }
  last_action_ = policy_.sim.now();
  above_ = below_ = 0;
  sim::EventDetails details;
  details.add("metric", cfg_.metric).add("value", value).add("threshold", alarm->threshold);
  details.add("change", delta);
  policy_.decide(current + delta, cfg_.min_replicas, cfg_.max_replicas,
                 cfg_.metric + (alarm == &cfg_.scale_out ? " alarm high" : " alarm low"), details);
}

}  // namespace models
