#include "models/autoscaling/target_tracking.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace models {

TargetTracking::TargetTracking(sim::Simulator& sim, const TargetTrackingConfig& cfg,
                               sim::SimTime phase, ScalableTarget& target,
                               const MetricsPipeline& metrics, sim::Recorder& rec)
    : sim_(sim),
      cfg_(cfg),
      phase_(phase),
      target_(target),
      metrics_(metrics),
      rec_(rec),
      component_("target_tracking/" + target.target_name()) {}

void TargetTracking::start() {
  struct Tick {
    TargetTracking* self;
    void operator()() const {
      self->evaluate();
      self->sim_.schedule_in(self->cfg_.period, *this);
    }
  };
  sim_.schedule_in(phase_ + cfg_.period, Tick{this});
}

void TargetTracking::evaluate() {
  const auto m = metrics_.pod_mean(cfg_.metric);
  if (!m) return;  // no datapoint: the alarm state does not change
  const double value = cfg_.metric == "cpu" ? *m * 100.0 : *m;
  rec_.sample(component_, cfg_.metric, sim_.now(), value);
  above_ = value > cfg_.target ? above_ + 1 : 0;
  below_ = value < cfg_.target ? below_ + 1 : 0;
  const int32_t current = target_.spec_replicas();
  const int32_t pods = std::max<int32_t>(1, target_.ready_replicas());
  const int32_t desired = static_cast<int32_t>(std::ceil(pods * value / cfg_.target - 1e-9));
  const sim::SimTime now = sim_.now();
  char details[256];
  std::snprintf(details, sizeof details,
                "{\"metric\":\"%s\",\"value\":%.4g,\"target\":%.4g,\"pods\":%d,\"desired\":%d}",
                cfg_.metric.c_str(), value, cfg_.target, pods, desired);
  if (above_ >= cfg_.scale_out_datapoints && desired > current &&
      now - last_out_ >= cfg_.scale_out_cooldown) {
    last_out_ = now;
    apply_decision(sim_, target_, rec_, component_, "target_tracking", desired, cfg_.min_replicas,
                   cfg_.max_replicas, cfg_.metric + " above target", details);
  } else if (!cfg_.disable_scale_in && below_ >= cfg_.scale_in_datapoints && desired < current &&
             now - last_in_ >= cfg_.scale_in_cooldown &&
             now - last_out_ >= cfg_.scale_in_cooldown) {
    last_in_ = now;
    apply_decision(sim_, target_, rec_, component_, "target_tracking", desired, cfg_.min_replicas,
                   cfg_.max_replicas, cfg_.metric + " below target", details);
  }
}

}  // namespace models
