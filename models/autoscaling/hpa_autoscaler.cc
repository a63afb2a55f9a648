#include "models/autoscaling/hpa_autoscaler.h"

#include <cmath>

namespace models {

using hpa::MetricSourceType;

HpaAutoscaler::HpaAutoscaler(sim::Simulator& sim, const hpa::HpaSpec& spec,
                             const hpa::ControllerConfig& cfg, sim::SimTime phase,
                             ScalableTarget& target, const MetricsPipeline& metrics,
                             sim::Recorder& rec)
    : sim_(sim),
      controller_(spec, cfg),
      phase_(phase),
      target_(target),
      metrics_(metrics),
      rec_(rec),
      component_("hpa/" + target.target_name()) {}

void HpaAutoscaler::start() {
  struct Tick {
    HpaAutoscaler* self;
    void operator()() const {
      self->sync();
      self->sim_.schedule_in(self->controller_.config().sync_period, *this);
    }
  };
  sim_.schedule_in(phase_, Tick{this});
}

hpa::Observation HpaAutoscaler::observe() {
  hpa::Observation o;
  o.now = sim_.now();
  o.spec_replicas = target_.spec_replicas();
  o.status_replicas = target_.status_replicas();
  const std::vector<PodSnapshot>& pods = target_.pods_now();
  o.pods.reserve(pods.size());
  for (const PodSnapshot& p : pods) {
    hpa::PodStatus s;
    s.name = p.name;
    s.phase = p.running ? hpa::PodPhase::kRunning : hpa::PodPhase::kPending;
    s.ready = !p.scheduled ? hpa::ReadyCondition::kNone
              : p.ready    ? hpa::ReadyCondition::kTrue
                           : hpa::ReadyCondition::kFalse;
    s.has_start_time = p.scheduled;
    s.start_time = p.start_time;
    s.ready_transition = p.ready_transition;
    s.deleting = p.deleting;
    s.cpu_request_milli = static_cast<int64_t>(std::llround(p.cpu_request * 1000.0));
    s.memory_request_milli = static_cast<int64_t>(std::llround(p.memory_request * 1000.0));
    o.pods.push_back(std::move(s));
  }
  for (const hpa::MetricSpec& m : controller_.spec().metrics) {
    hpa::MetricObservation mo;
    switch (m.type) {
      case MetricSourceType::kResource:
        mo.pod_metrics_source = m.name == "memory" ? &metrics_.memory() : &metrics_.cpu();
        break;
      case MetricSourceType::kPods:
        mo.pod_metrics_source = &metrics_.pod_metric(m.name);
        break;
      case MetricSourceType::kObject:
      case MetricSourceType::kExternal: {
        const auto v = metrics_.workload_metric(m.name);
        if (!v) {
          mo.fetch_error = true;
          mo.fetch_error_message = "no value yet";
        } else if (m.type == MetricSourceType::kObject) {
          mo.object_value_milli = *v;
        } else {
          mo.external_values_milli = {*v};
        }
        break;
      }
      case MetricSourceType::kInvalid:
        break;
    }
    o.metrics.push_back(std::move(mo));
  }
  return o;
}

namespace {

// The decision's reasons as typed event details: the chain from metrics to replicas.
sim::EventDetails decision_details(const hpa::Decision& d, const hpa::HpaSpec& spec) {
  sim::EventDetails out;
  out.add("current", d.current).add("desired", d.desired).add("proposal", d.metric_proposal);
  out.add("stabilized", d.stabilized).add("able_to_scale", d.able_to_scale);
  out.add("scaling_active", d.scaling_active).add("scaling_limited", d.scaling_limited);
  out.begin_array("metrics");
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    const hpa::MetricResult& r = d.metrics[i];
    const hpa::MetricSpec& m = spec.metrics[i];
    out.begin_object().add("type", hpa::metric_type_name(m.type)).add("name", m.name);
    if (r.valid) {
      out.add("current_milli", r.current_milli);
      if (r.utilization) out.add("utilization", *r.utilization);
      out.add("proposal", r.proposal);
    } else {
      out.add("error", r.error_reason);
    }
    out.end();
  }
  out.end();
  return out;
}

std::string decision_message(const hpa::Decision& d) {
  if (d.rescale) {
    std::string message = "scaled " + std::to_string(d.current) + " -> " +
                          std::to_string(d.desired) + ": " + d.reason;
    if (!d.scaling_limited.empty() && d.scaling_limited != "DesiredWithinRange")
      message += " (" + d.scaling_limited + ")";
    return message;
  }
  if (d.metrics_failed) return "no scaling: " + d.reason;
  return "holds " + std::to_string(d.current) + " (proposal " + std::to_string(d.metric_proposal) +
         ", " + d.able_to_scale + ")";
}

}  // namespace

void HpaAutoscaler::sync() {
  if (!target_.control_plane_up()) {
    cluster_was_down_ = true;
    return;
  }
  if (cluster_was_down_) {
    // kube-controller-manager restarted with the cluster: its in-memory history is gone.
    cluster_was_down_ = false;
    controller_.forget_history();
    last_signature_.clear();
    rec_.event(sim_.now(), component_, "restart",
               "controller restarted with the cluster: recommendation and scale-event history "
               "lost");
  }
  const hpa::Decision d = controller_.reconcile(observe());
  if (d.rescale) target_.scale_to(d.desired, "hpa");
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    const hpa::MetricResult& r = d.metrics[i];
    if (!r.valid) continue;
    const hpa::MetricSpec& m = controller_.spec().metrics[i];
    rec_.sample(component_, m.name + (r.utilization ? ".utilization" : ".value"), d.at,
                r.utilization ? static_cast<double>(*r.utilization)
                              : static_cast<double>(r.current_milli) / 1000.0);
  }
  // Rescales are always logged; a decision that holds the size (stabilized, limited, metrics
  // failing) is logged when it differs from the previous one, so the log stays readable.
  const bool held = !d.rescale && d.metric_proposal >= 0 && d.metric_proposal != d.current;
  const std::string signature =
      d.metrics_failed ? "failed:" + d.scaling_active
      : held ? "held:" + std::to_string(d.metric_proposal) + d.able_to_scale + d.scaling_limited
             : "steady";
  if (d.rescale || (signature != last_signature_ && signature != "steady")) {
    rec_.event(d.at, component_, "scale", decision_message(d),
               decision_details(d, controller_.spec()));
  }
  last_signature_ = d.rescale ? "" : signature;
  rec_.sample(component_, "desired", d.at, d.desired);
  if (d.metric_proposal >= 0) rec_.sample(component_, "proposal", d.at, d.metric_proposal);
}

}  // namespace models
