#include "models/autoscaling/autoscaler.h"

#include <algorithm>

namespace models {

void apply_decision(sim::Simulator& sim, ScalableTarget& target, sim::Recorder& rec,
                    const std::string& component, const char* kind, int32_t desired,
                    int32_t min_replicas, int32_t max_replicas, const std::string& reason,
                    const sim::EventDetails& details) {
  const int32_t current = target.spec_replicas();
  const int32_t clamped = std::clamp(desired, min_replicas, max_replicas);
  rec.sample(component, "desired", sim.now(), clamped);
  if (clamped == current) return;
  target.scale_to(clamped, kind);
  std::string msg =
      "scaled " + std::to_string(current) + " -> " + std::to_string(clamped) + ": " + reason;
  if (clamped != desired) msg += clamped == max_replicas ? " (max)" : " (min)";
  rec.event(sim.now(), component, "scale", msg, details);
}

}  // namespace models
