#include "models/autoscaling/knative_autoscaler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace models {

KnativeAutoscaler::KnativeAutoscaler(sim::Simulator& sim, const KnativeConfig& cfg,
                                     sim::SimTime phase, ScalableTarget& target, sim::Recorder& rec)
    : sim_(sim),
      cfg_(cfg),
      phase_(phase),
      target_(target),
      rec_(rec),
      component_("knative/" + target.target_name()) {}

void KnativeAutoscaler::start() {
  start_ = sim_.now();
  struct Tick {
    KnativeAutoscaler* self;
    void operator()() const {
      self->tick();
      self->sim_.schedule_in(self->cfg_.tick, *this);
    }
  };
  sim_.schedule_in(phase_, Tick{this});
}

double KnativeAutoscaler::average(sim::SimTime window) const {
  const sim::SimTime from = sim_.now() - window;
  double sum = 0;
  int n = 0;
  for (auto it = samples_.rbegin(); it != samples_.rend() && it->first > from; ++it) {
    sum += it->second;
    ++n;
  }
  return n > 0 ? sum / n : 0.0;
}

void KnativeAutoscaler::tick() {
  if (!target_.control_plane_up()) return;  // the autoscaler runs in the cluster
  const sim::SimTime now = sim_.now();
  samples_.push_back({now, static_cast<double>(target_.signals().inflight)});
  while (!samples_.empty() && samples_.front().first <= now - cfg_.stable_window)
    samples_.pop_front();

  const double per_pod = cfg_.target_concurrency * cfg_.target_utilization;
  const sim::SimTime panic_window = sim::SimTime::from_seconds(
      cfg_.stable_window.seconds() * cfg_.panic_window_percentage / 100.0);
  const double stable = average(cfg_.stable_window);
  const double panic = average(panic_window);
  const int32_t desired_stable = static_cast<int32_t>(std::ceil(stable / per_pod - 1e-9));
  const int32_t desired_panic = static_cast<int32_t>(std::ceil(panic / per_pod - 1e-9));
  const int32_t ready = std::max<int32_t>(1, target_.ready_replicas());

  const bool panic_condition = desired_panic / static_cast<double>(ready) >= cfg_.panic_threshold;
  if (panic_condition) {
    if (!panic_) {
      rec_.event(now, component_, "scale", "entering panic mode",
                 "{\"panic_concurrency\":" + std::to_string(panic) +
                     ",\"ready\":" + std::to_string(ready) + "}");
    }
    panic_ = true;
    panic_since_ = now;  // the stable window restarts while the condition holds
  } else if (panic_ && now - panic_since_ >= cfg_.stable_window) {
    panic_ = false;
    panic_desired_ = 0;
    rec_.event(now, component_, "scale", "leaving panic mode", "");
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
  if (!full_window) desired = std::max(desired, target_.spec_replicas());
  char details[200];
  std::snprintf(
      details, sizeof details,
      "{\"stable_concurrency\":%.4g,\"panic_concurrency\":%.4g,\"panic\":%s,\"ready\":%d}", stable,
      panic, panic_ ? "true" : "false", ready);
  apply_decision(sim_, target_, rec_, component_, "knative", desired, cfg_.min_replicas,
                 cfg_.max_replicas,
                 panic_ ? "panic-window concurrency" : "stable-window concurrency", details);
}

}  // namespace models
