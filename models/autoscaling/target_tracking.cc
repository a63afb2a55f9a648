#include "models/autoscaling/target_tracking.h"

#include <algorithm>
#include <cmath>

namespace models {

TargetTracking::TargetTracking(sim::Simulator& sim, const TargetTrackingConfig& cfg,
                               sim::SimTime phase, ScalableTarget& target,
                               const MetricsPipeline& metrics, sim::Recorder& rec)
    : policy_(sim, target, rec, "target_tracking"), cfg_(cfg), phase_(phase), metrics_(metrics) {}

void TargetTracking::start() {
  policy_.every(phase_ + cfg_.period, cfg_.period, [this] { evaluate(); });
}

void TargetTracking::evaluate() {
  const auto m = metrics_.pod_mean(cfg_.metric);
  if (!m) return;  // no datapoint: the alarm state does not change
  const double value = cfg_.metric == "cpu" ? *m * 100.0 : *m;
  policy_.sample(cfg_.metric, value);
  above_ = value > cfg_.target ? above_ + 1 : 0;
  below_ = value < cfg_.scale_in_ratio * cfg_.target ? below_ + 1 : 0;
  const int32_t current = policy_.target.spec_replicas();
  const int32_t pods = std::max<int32_t>(1, policy_.target.ready_replicas());
  const int32_t desired =
      std::clamp(static_cast<int32_t>(std::ceil(pods * value / cfg_.target - 1e-9)),
                 cfg_.min_replicas, cfg_.max_replicas);
  const sim::SimTime now = policy_.sim.now();
  sim::EventDetails details;
  details.add("metric", cfg_.metric).add("value", value).add("target", cfg_.target);
  details.add("pods", pods).add("desired", desired);
  if (above_ >= cfg_.scale_out_datapoints && desired > current) {
    // In the scale-out cooldown the capacity already added counts: only a larger scale-out.
    const bool cooling = now - last_out_ < cfg_.scale_out_cooldown;
    if (cooling && desired <= out_desired_) return;
    details.add("larger_during_cooldown", cooling);
    if (!cooling) last_out_ = now;  // a larger scale-out keeps the cooldown it falls in
    out_desired_ = desired;
    last_in_ = kLongAgo;  // a scale-out ends the scale-in cooldown
    policy_.decide(desired, cfg_.min_replicas, cfg_.max_replicas, cfg_.metric + " above target",
                   details);
  } else if (!cfg_.disable_scale_in && below_ >= cfg_.scale_in_datapoints && desired < current &&
             now - last_in_ >= cfg_.scale_in_cooldown) {
    last_in_ = now;
    policy_.decide(desired, cfg_.min_replicas, cfg_.max_replicas, cfg_.metric + " below target",
                   details);
  }
}

}  // namespace models
