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

const char* target_name(hpa::TargetType t) {
  switch (t) {
    case hpa::TargetType::kUtilization:
      return "Utilization";
    case hpa::TargetType::kAverageValue:
      return "AverageValue";
    case hpa::TargetType::kValue:
      return "Value";
  }
  return "?";
}

// The pods a Resource or Pods metric saw, grouped as the calculator grouped them, with the
// sample each one had and (resources) its request.
void add_pods(sim::EventDetails& out, const hpa::MetricSpec& m, const hpa::PodMetrics& samples,
              const hpa::Observation& obs, const hpa::GroupConfig& gc) {
  const bool resource = m.type == MetricSourceType::kResource;
  const bool cpu_rules = resource && m.name == "cpu";
  std::vector<hpa::PodNote> notes;
  (void)hpa::group_pods(obs.pods, samples, cpu_rules, obs.now, gc, &notes);
  out.begin_array("pods");
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const hpa::PodStatus& p = obs.pods[i];
    out.begin_object().add("pod", p.name).add("group", notes[i].group).add("why", notes[i].why);
    const auto it = samples.find(p.name);
    if (it != samples.end()) {
      out.add("value_milli", it->second.value_milli);
      out.add("sample_age_s", (obs.now - it->second.timestamp).seconds());
    }
    const std::optional<int64_t>& req =
        m.name == "memory" ? p.memory_request_milli : p.cpu_request_milli;
    if (resource && req) out.add("request_milli", *req);
    out.end();
  }
  out.end();
}

void add_metric(sim::EventDetails& out, const hpa::MetricResult& r, const hpa::MetricSpec& m,
                const hpa::MetricObservation* o, const hpa::Observation& obs,
                const hpa::GroupConfig& gc) {
  out.begin_object().add("type", hpa::metric_type_name(m.type)).add("name", m.name);
  out.add("target_type", target_name(m.target));
  if (m.target == hpa::TargetType::kUtilization)
    out.add("target", m.average_utilization);
  else
    out.add("target_milli", m.value_milli);
  if (r.valid) {
    out.add("current_milli", r.current_milli);
    if (r.utilization) out.add("utilization", *r.utilization);
    out.add("proposal", r.proposal).add("ratio", r.trace.ratio);
    out.add("ready_pods", r.trace.ready_count);
    if (!std::isnan(r.trace.new_ratio))
      out.add("new_ratio", r.trace.new_ratio).add("counted_pods", r.trace.counted);
    out.add("rule", r.trace.rule);
  } else {
    out.add("error", r.error_reason).add("message", r.error);
  }
  const bool per_pod = m.type == MetricSourceType::kResource || m.type == MetricSourceType::kPods;
  if (per_pod && o != nullptr && !o->fetch_error) add_pods(out, m, o->samples(), obs, gc);
  out.end();
}

}  // namespace

sim::EventDetails hpa_decision_details(const hpa::Decision& d, const hpa::HpaSpec& spec,
                                       const hpa::ControllerConfig& cfg,
                                       const hpa::Observation& obs) {
  const hpa::GroupConfig gc{cfg.cpu_initialization_period, cfg.initial_readiness_delay};
  sim::EventDetails out;
  out.add("current", d.current).add("desired", d.desired).add("proposal", d.metric_proposal);
  out.add("stabilized", d.stabilized).add("able_to_scale", d.able_to_scale);
  out.add("scaling_active", d.scaling_active).add("scaling_limited", d.scaling_limited);
  out.add("rescale", d.rescale).add("reason", d.reason);
  out.add("min_replicas", d.min_replicas).add("max_replicas", d.max_replicas);
  out.add("spec_replicas", obs.spec_replicas).add("status_replicas", obs.status_replicas);
  out.begin_object("tolerance")
      .add("down", d.tolerance.scale_down)
      .add("up", d.tolerance.scale_up)
      .end();
  out.begin_array("metrics");
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    add_metric(out, d.metrics[i], spec.metrics[i],
               i < obs.metrics.size() ? &obs.metrics[i] : nullptr, obs, gc);
  }
  out.end();
  if (d.stabilized >= 0) {
    out.begin_object("stabilization").add("behavior", d.behavior);
    out.add("up_window_s", d.up_window_s).add("down_window_s", d.down_window_s);
    out.begin_array("recommendations");
    for (const hpa::Recommendation& r : d.recommendations_seen) {
      out.begin_object()
          .add("replicas", r.replicas)
          .add("age_s", (d.at - r.timestamp).seconds())
          .end();
    }
    out.end().end();
    out.begin_object("limits");
    if (d.up_limit >= 0) out.add("up", d.up_limit);
    if (d.down_limit >= 0) out.add("down", d.down_limit);
    if (!d.behavior)
      out.add("up_factor", cfg.scale_up_limit_factor).add("up_minimum", cfg.scale_up_limit_minimum);
    out.end();
  }
  return out;
}

namespace {

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
    if (rec_.tracing())
      rec_.event(sim_.now(), component_, "decision", "no sync: the site's control plane is down",
                 sim::EventDetails().add("control_plane_down", true));
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
  const hpa::Observation obs = observe();
  const hpa::Decision d = controller_.reconcile(obs);
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
  const bool log = d.rescale || (signature != last_signature_ && signature != "steady");
  if (log || rec_.tracing()) {
    const sim::EventDetails details =
        hpa_decision_details(d, controller_.spec(), controller_.config(), obs);
    if (log) rec_.event(d.at, component_, "scale", decision_message(d), details);
    if (rec_.tracing()) rec_.event(d.at, component_, "decision", decision_message(d), details);
  }
  last_signature_ = d.rescale ? "" : signature;
  rec_.sample(component_, "desired", d.at, d.desired);
  if (d.metric_proposal >= 0) rec_.sample(component_, "proposal", d.at, d.metric_proposal);
}

}  // namespace models
