// models/autoscaling/autoscaler.h: the interface every pod autoscaler implements (the HPA and
// its rivals), and what the periodic policies share. An autoscaler reads a ScalableTarget and
// its metrics and calls scale_to(); it schedules its own evaluations from start().
#pragma once

#include <cstdint>
#include <string>

#include "models/common/scalable_target.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

// Before any action: cooldown arithmetic needs no special case.
inline constexpr sim::SimTime kLongAgo = sim::SimTime::from_ns(-(int64_t{1} << 60));

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
                    const sim::EventDetails& details);

// What the periodic policies (target tracking, step scaling, the Knative KPA, the predictive
// scaler) have in common, held by each as a member: the simulator, the target, the recorder,
// the component name "<kind>/<site>", an evaluation every period, and the decision with its
// log entry. The HPA keeps its own loop (its controller has more state than a period).
class PeriodicPolicy {
 public:
  // `kind` must outlive the policy (a string literal).
  PeriodicPolicy(sim::Simulator& simulator, ScalableTarget& scalable, sim::Recorder& recorder,
                 const char* policy_kind)
      : sim(simulator),
        target(scalable),
        rec(recorder),
        component(std::string(policy_kind) + "/" + scalable.target_name()),
        kind(policy_kind) {}

  // Calls `evaluate` at now + first, then `period` after each call returns (so events the
  // evaluation schedules come before the next tick at the same instant).
  template <class F>
  void every(sim::SimTime first, sim::SimTime period, F evaluate) {
    struct Tick {
      sim::Simulator* sim;
      sim::SimTime period;
      F evaluate;
      void operator()() const {
        evaluate();
        sim->schedule_in(period, *this);
      }
    };
    sim.schedule_in(first, Tick{&sim, period, evaluate});
  }

  // apply_decision() under this policy's component and kind.
  void decide(int32_t desired, int32_t min_replicas, int32_t max_replicas,
              const std::string& reason, const sim::EventDetails& details) const {
    apply_decision(sim, target, rec, component, kind, desired, min_replicas, max_replicas, reason,
                   details);
  }
  void sample(std::string_view name, double value) const {
    rec.sample(component, name, sim.now(), value);
  }

  sim::Simulator& sim;
  ScalableTarget& target;
  sim::Recorder& rec;
  const std::string component;
  const char* const kind;
};

}  // namespace models
