// models/autoscaling/autoscaler.h: the interface every pod autoscaler implements (the HPA and
// its rivals). An autoscaler reads a ScalableTarget and its metrics and calls scale_to(); it
// schedules its own evaluations from start().
#pragma once

#include <cstdint>
#include <string>

#include "models/common/scalable_target.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

class Autoscaler {
 public:
  virtual ~Autoscaler() = default;
  virtual void start() = 0;
  virtual const char* kind() const = 0;
};

// Shared by the policies other than the HPA: clamps `desired` to [min, max], records the
// "desired" sample, scales the target when it changes, and logs the decision with its reason.
void apply_decision(sim::Simulator& sim, ScalableTarget& target, sim::Recorder& rec,
                    const std::string& component, const char* kind, int32_t desired,
                    int32_t min_replicas, int32_t max_replicas, const std::string& reason,
                    const std::string& details_json);

}  // namespace models
