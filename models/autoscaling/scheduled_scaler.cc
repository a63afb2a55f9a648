#include "models/autoscaling/scheduled_scaler.h"

namespace models {

ScheduledScaler::ScheduledScaler(sim::Simulator& sim, std::vector<ScheduleEntry> schedule,
                                 ScalableTarget& target, sim::Recorder& rec,
                                 hpa::HpaController* hpa)
    : sim_(sim),
      schedule_(std::move(schedule)),
      target_(target),
      rec_(rec),
      hpa_(hpa),
      component_("scheduled/" + target.target_name()) {}

void ScheduledScaler::start() {
  for (std::size_t i = 0; i < schedule_.size(); ++i) {
    struct Fire {
      ScheduledScaler* self;
      std::size_t i;
      void operator()() const { self->apply(i); }
    };
    sim_.schedule_at(std::max(schedule_[i].at, sim_.now()), Fire{this, i});
  }
}

void ScheduledScaler::apply(std::size_t i) {
  const int32_t n = schedule_[i].replicas;
  if (hpa_ != nullptr) {
    hpa_->set_min_replicas(n);
    rec_.event(sim_.now(), component_, "scale", "scheduled minReplicas " + std::to_string(n),
               sim::EventDetails().add("min_replicas", n));
    return;
  }
  apply_decision(sim_, target_, rec_, component_, "scheduled", n, 0, 1 << 30, "scheduled action",
                 sim::EventDetails().add("replicas", n));
}

}  // namespace models
