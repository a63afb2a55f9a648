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
  std::string msg =
      clamped == current
          ? "holds " + std::to_string(current) + " (wants " + std::to_string(desired) + ")"
          : "scaled " + std::to_string(current) + " -> " + std::to_string(clamped) + ": " + reason;
  if (clamped != desired) msg += clamped == max_replicas ? " (max)" : " (min)";
  if (rec.tracing()) {
    // Every evaluation, for explanations: the policy's inputs and the clamp.
    sim::EventDetails traced = details;
    traced.add("current", current).add("wants", desired).add("result", clamped);
    traced.add("min_replicas", min_replicas).add("max_replicas", max_replicas);
    rec.event(sim.now(), component, "decision", msg, traced);
  }
  if (clamped == current) return;
  target.scale_to(clamped, kind);
  rec.event(sim.now(), component, "scale", msg, details);
}

}  // namespace models
