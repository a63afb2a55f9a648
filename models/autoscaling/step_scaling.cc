#include "models/autoscaling/step_scaling.h"

#include <cmath>
#include <cstdio>

namespace models {

StepScaling::StepScaling(sim::Simulator& sim, const StepScalingConfig& cfg, sim::SimTime phase,
                         ScalableTarget& target, const MetricsPipeline& metrics, sim::Recorder& rec)
    : sim_(sim),
      cfg_(cfg),
      phase_(phase),
      target_(target),
      metrics_(metrics),
      rec_(rec),
      component_("step_scaling/" + target.target_name()) {}

void StepScaling::start() {
  struct Tick {
    StepScaling* self;
    void operator()() const {
      self->evaluate();
      self->sim_.schedule_in(self->cfg_.period, *this);
    }
  };
  sim_.schedule_in(phase_ + cfg_.period, Tick{this});
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
  rec_.sample(component_, cfg_.metric, sim_.now(), value);
  above_ = cfg_.scale_out.enabled && value > cfg_.scale_out.threshold ? above_ + 1 : 0;
  below_ = cfg_.scale_in.enabled && value < cfg_.scale_in.threshold ? below_ + 1 : 0;
  if (sim_.now() - last_action_ < cfg_.cooldown) return;
  const StepAlarm* alarm = nullptr;
  if (above_ >= cfg_.scale_out.evaluation_periods && cfg_.scale_out.enabled)
    alarm = &cfg_.scale_out;
  else if (below_ >= cfg_.scale_in.evaluation_periods && cfg_.scale_in.enabled)
    alarm = &cfg_.scale_in;
  if (alarm == nullptr) return;
  const int change = step_change(*alarm, value - alarm->threshold);
  if (change == 0) return;
  const int32_t current = target_.spec_replicas();
  int32_t delta = change;
  if (cfg_.percent) {
    const double d = current * change / 100.0;
    delta = static_cast<int32_t>(d > 0 ? std::ceil(d) : std::floor(d));
    if (delta == 0) delta = change > 0 ? 1 : -1;
  }
  last_action_ = sim_.now();
  above_ = below_ = 0;
  char details[200];
  std::snprintf(details, sizeof details,
                "{\"metric\":\"%s\",\"value\":%.4g,\"threshold\":%.4g,\"change\":%d}",
                cfg_.metric.c_str(), value, alarm->threshold, delta);
  apply_decision(sim_, target_, rec_, component_, "step_scaling", current + delta,
                 cfg_.min_replicas, cfg_.max_replicas,
                 cfg_.metric + (alarm == &cfg_.scale_out ? " alarm high" : " alarm low"), details);
}

}  // namespace models
