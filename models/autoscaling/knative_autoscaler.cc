#include "models/autoscaling/knative_autoscaler.h"

#include <algorithm>
#include <cmath>

namespace models {

KnativeAutoscaler::KnativeAutoscaler(sim::Simulator& sim, const KnativeConfig& cfg,
                                     sim::SimTime phase, ScalableTarget& target, sim::Recorder& rec)
    : policy_(sim, target, rec, "knative"), cfg_(cfg), phase_(phase) {}

void KnativeAutoscaler::start() {
  start_ = policy_.sim.now();
  policy_.every(phase_, cfg_.tick, [this] { tick(); });
}

double KnativeAutoscaler::average(sim::SimTime window) const {
  const sim::SimTime from = policy_.sim.now() - window;
  double sum = 0;
  int n = 0;
  for (auto it = samples_.rbegin(); it != samples_.rend() && it->first > from; ++it) {
    sum += it->second;
    ++n;
  }
  return n > 0 ? sum / n : 0.0;
}

void KnativeAutoscaler::tick() {
  if (!policy_.target.control_plane_up()) return;  // the autoscaler runs in the cluster
  const sim::SimTime now = policy_.sim.now();
  samples_.push_back({now, static_cast<double>(policy_.target.signals().inflight)});
  while (!samples_.empty() && samples_.front().first <= now - cfg_.stable_window)
    samples_.pop_front();

  const double per_pod = cfg_.target_concurrency * cfg_.target_utilization;
  const sim::SimTime panic_window = sim::SimTime::from_seconds(
      cfg_.stable_window.seconds() * cfg_.panic_window_percentage / 100.0);
  const double stable = average(cfg_.stable_window);
  const double panic = average(panic_window);
  const int32_t desired_stable = static_cast<int32_t>(std::ceil(stable / per_pod - 1e-9));
  const int32_t desired_panic = static_cast<int32_t>(std::ceil(panic / per_pod - 1e-9));
  const int32_t ready = std::max<int32_t>(1, policy_.target.ready_replicas());

  const bool panic_condition = desired_panic / static_cast<double>(ready) >= cfg_.panic_threshold;
  if (panic_condition) {
    if (!panic_) {
      policy_.rec.event(now, policy_.component, "scale", "entering panic mode",
                        sim::EventDetails().add("panic_concurrency", panic).add("ready", ready));
    }
    panic_ = true;
    panic_since_ = now;  // the stable window restarts while the condition holds
  } else if (panic_ && now - panic_since_ >= cfg_.stable_window) {
    panic_ = false;
    panic_desired_ = 0;
    policy_.rec.event(now, policy_.component, "scale", "leaving panic mode");
  }
  int32_t desired;
  // Until a full stable window of samples exists, the KPA does not scale down on thin data.
  const bool full_window = now - start_ >= cfg_.stable_window;
  if (panic_) {
    panic_desired_ = std::max(panic_desired_, desired_panic);  // never scale down in panic
    desired = panic_desired_;
  } else {
    desired = desired_stable;
  }
  // Rate limits relative to the ready pods.
  const int32_t up = static_cast<int32_t>(std::ceil(cfg_.max_scale_up_rate * ready));
  const int32_t down = static_cast<int32_t>(std::floor(ready / cfg_.max_scale_down_rate));
  desired = std::min(std::max(desired, down), up);
  if (!full_window) desired = std::max(desired, policy_.target.spec_replicas());
  sim::EventDetails details;
  details.add("stable_concurrency", stable).add("panic_concurrency", panic);
  details.add("panic", panic_).add("ready", ready);
  policy_.decide(desired, cfg_.min_replicas, cfg_.max_replicas,
                 panic_ ? "panic-window concurrency" : "stable-window concurrency", details);
}

}  // namespace models
