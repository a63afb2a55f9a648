// models/autoscaling/scheduled_scaler.h: scheduled scaling (KEDA cron, AWS scheduled actions).
//
// A schedule maps times to a replica count: at each entry's time the target is set to it. On
// its own the scaler holds that count; next to an HPA (`schedule:` beside `hpa:`), each entry
// sets the HPA's minReplicas instead, so the HPA can still go higher.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/hpa_controller.h"

namespace models {

struct ScheduleEntry {
  sim::SimTime at;
  int32_t replicas = 1;
};

class ScheduledScaler final : public Autoscaler {
 public:
  // With `hpa` non-null, entries set that controller's minReplicas.
  ScheduledScaler(sim::Simulator& sim, std::vector<ScheduleEntry> schedule, ScalableTarget& target,
                  sim::Recorder& rec, hpa::HpaController* hpa = nullptr);
  void start() override;
  const char* kind() const override { return "scheduled"; }

 private:
  void apply(std::size_t i);
  sim::Simulator& sim_;
  std::vector<ScheduleEntry> schedule_;
  ScalableTarget& target_;
  sim::Recorder& rec_;
  hpa::HpaController* hpa_;
  std::string component_;
};

}  // namespace models
