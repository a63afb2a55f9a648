// models/dr/failover_trigger.h: the DR runbook of warm-standby and pilot-light designs.
//
// When the GSLB marks the primary site down, the automation scales the standby to its
// production size (`replicas`), as a runbook or a health-check alarm would; the standby's own
// autoscaler takes over from there. It fires once per primary failure (again after the primary
// has been healthy in between) and never scales the standby down.
#pragma once

#include <cstdint>
#include <string>

#include "models/common/scalable_target.h"
#include "models/common/site_health.h"
#include "sim/recorder.h"

namespace models {

class FailoverTrigger final : public HealthListener {
 public:
  FailoverTrigger(int primary, ScalableTarget& standby, int32_t replicas, sim::Recorder& rec)
      : primary_(primary), standby_(standby), replicas_(replicas), rec_(rec) {}

  void on_health_change(int site, bool healthy, sim::SimTime at) override {
    if (site != primary_) return;
    if (healthy) {
      armed_ = true;
      return;
    }
    if (!armed_) return;
    armed_ = false;
    if (standby_.spec_replicas() >= replicas_) return;
    rec_.event(at, "dr/failover", "activate",
               "DR automation scales " + standby_.target_name() + " to " +
                   std::to_string(replicas_) + " pods",
               sim::EventDetails().add("site", standby_.target_name()).add("replicas", replicas_));
    standby_.scale_to(replicas_, "dr");
  }

 private:
  int primary_;
  ScalableTarget& standby_;
  int32_t replicas_;
  sim::Recorder& rec_;
  bool armed_ = true;
};

}  // namespace models
