// models/autoscaling/knative_autoscaler.h: the Knative Pod Autoscaler (KPA), concurrency based.
//
// Every `tick` (2 s) it samples the concurrency of the revision (requests in the site). The
// desired pod count is ceil(average concurrency / (target x utilization)) over the stable
// window (60 s) or, in panic mode, over the panic window (10% of it: 6 s). Panic starts when
// the panic-window desire reaches `panic_threshold` (200%) of the ready pods; while panicking
// the KPA never scales down, and it leaves panic once a stable window has passed without the
// condition. Each step is limited to max_scale_up_rate x ready pods upward and ready /
// max_scale_down_rate downward. Until it has a full stable window of samples it does not scale
// down. Defaults are Knative's (config-autoscaler).
#pragma once

#include <deque>
#include <string>

#include "models/autoscaling/autoscaler.h"

namespace models {

struct KnativeConfig {
  double target_concurrency = 100;  // containerConcurrency target per pod
  double target_utilization = 0.7;  // container-concurrency-target-percentage
  sim::SimTime stable_window = sim::seconds(60);
  double panic_window_percentage = 10;
  double panic_threshold = 2.0;  // 200%
  sim::SimTime tick = sim::seconds(2);
  double max_scale_up_rate = 1000;
  double max_scale_down_rate = 2;
  int32_t min_replicas = 1;
  int32_t max_replicas = 100;
};

class KnativeAutoscaler final : public Autoscaler {
 public:
  KnativeAutoscaler(sim::Simulator& sim, const KnativeConfig& cfg, sim::SimTime phase,
                    ScalableTarget& target, sim::Recorder& rec);
  void start() override;
  const char* kind() const override { return policy_.kind; }

 private:
  void tick();
  double average(sim::SimTime window) const;
  PeriodicPolicy policy_;
  KnativeConfig cfg_;
  sim::SimTime phase_;
  std::deque<std::pair<sim::SimTime, double>> samples_;
  sim::SimTime start_;
  bool panic_ = false;
  sim::SimTime panic_since_;
  int32_t panic_desired_ = 0;
};

}  // namespace models
