#include "models/autoscaling/hpa_autoscaler.h"

#include <cmath>
#include <cstdio>

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
  target_.snapshot_pods(&pods_);
  for (const PodSnapshot& p : pods_) {
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
        mo.pod_metrics = m.name == "memory" ? metrics_.memory() : metrics_.cpu();
        break;
      case MetricSourceType::kPods:
        mo.pod_metrics = metrics_.pod_metric(m.name);
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
               "controller restarted with the cluster: recommendation and scale-event history lost",
               "");
  }
  const hpa::Decision d = controller_.reconcile(observe());
  if (d.rescale) target_.scale_to(d.desired, "hpa");

  // The decision, with its reasons, for the event log.
  std::string metrics = "[";
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    const hpa::MetricResult& r = d.metrics[i];
    const hpa::MetricSpec& m = controller_.spec().metrics[i];
    char buf[320];
    if (r.valid) {
      std::snprintf(
          buf, sizeof buf,
          "%s{\"type\":\"%s\",\"name\":\"%s\",\"current_milli\":%lld,%s\"proposal\":%d}",
          i ? "," : "", hpa::metric_type_name(m.type), m.name.c_str(),
          static_cast<long long>(r.current_milli),
          r.utilization ? ("\"utilization\":" + std::to_string(*r.utilization) + ",").c_str() : "",
          r.proposal);
    } else {
      std::snprintf(buf, sizeof buf, "%s{\"type\":\"%s\",\"name\":\"%s\",\"error\":\"%s\"}",
                    i ? "," : "", hpa::metric_type_name(m.type), m.name.c_str(),
                    r.error_reason.c_str());
    }
    metrics += buf;
    if (r.valid) {
      rec_.sample(component_, m.name + (r.utilization ? ".utilization" : ".value"), d.at,
                  r.utilization ? static_cast<double>(*r.utilization)
                                : static_cast<double>(r.current_milli) / 1000.0);
    }
  }
  metrics += "]";
  char details[1024];
  std::snprintf(
      details, sizeof details,
      "{\"current\":%d,\"desired\":%d,\"proposal\":%d,\"stabilized\":%d,\"able_to_scale\":\"%s\","
      "\"scaling_active\":\"%s\",\"scaling_limited\":\"%s\",\"metrics\":%s}",
      d.current, d.desired, d.metric_proposal, d.stabilized, d.able_to_scale.c_str(),
      d.scaling_active.c_str(), d.scaling_limited.c_str(), metrics.c_str());
  std::string message;
  if (d.rescale) {
    message = "scaled " + std::to_string(d.current) + " -> " + std::to_string(d.desired) + ": " +
              d.reason;
    if (!d.scaling_limited.empty() && d.scaling_limited != "DesiredWithinRange")
      message += " (" + d.scaling_limited + ")";
  } else if (d.metrics_failed) {
    message = "no scaling: " + d.reason;
  } else {
    message = "holds " + std::to_string(d.current) + " (proposal " +
              std::to_string(d.metric_proposal) + ", " + d.able_to_scale + ")";
  }
  // Rescales are always logged; a decision that holds the size (stabilized, limited, metrics
  // failing) is logged when it differs from the previous one, so the log stays readable.
  const bool held = !d.rescale && d.metric_proposal >= 0 && d.metric_proposal != d.current;
  const std::string signature =
      d.metrics_failed ? "failed:" + d.scaling_active
      : held ? "held:" + std::to_string(d.metric_proposal) + d.able_to_scale + d.scaling_limited
             : "steady";
  if (d.rescale || (signature != last_signature_ && signature != "steady")) {
    rec_.event(d.at, component_, "scale", message, details);
  }
  last_signature_ = d.rescale ? "" : signature;
  rec_.sample(component_, "desired", d.at, d.desired);
  if (d.metric_proposal >= 0) rec_.sample(component_, "proposal", d.at, d.metric_proposal);
}

}  // namespace models
