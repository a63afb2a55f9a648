#include "models/autoscaling/hpa_controller.h"

#include <algorithm>
#include <cmath>

namespace models::hpa {

using sim::SimTime;

namespace {
SimTime secs(int32_t s) { return sim::seconds(s); }
}  // namespace

// ---- legacy normalisation (behavior nil) ----------------------------------------------------

int32_t stabilize_recommendation(std::vector<Recommendation>* recs, int32_t desired, SimTime now,
                                 SimTime window) {
  int32_t max_rec = desired;
  bool found_old = false;
  std::size_t old_index = 0;
  const SimTime cutoff = now - window;
  for (std::size_t i = 0; i < recs->size(); ++i) {
    const Recommendation& r = (*recs)[i];
    if (r.timestamp < cutoff) {  // Before(cutoff): older than the window (age > window)
      found_old = true;
      old_index = i;
    } else if (r.replicas > max_rec) {
      max_rec = r.replicas;
    }
  }
  if (found_old) {
    (*recs)[old_index] = {desired, now};
  } else {
    recs->push_back({desired, now});
  }
  return max_rec;
}

Limited convert_with_rules(int32_t current, int32_t desired, int32_t min_replicas,
                           int32_t max_replicas, double factor, double minimum) {
  const int32_t scale_up_limit =
      static_cast<int32_t>(std::max(factor * static_cast<double>(current), minimum));
  int32_t max_allowed;
  std::string limiting;
  if (max_replicas > scale_up_limit) {
    max_allowed = scale_up_limit;
    limiting = "ScaleUpLimit";
  } else {
    max_allowed = max_replicas;
    limiting = "TooManyReplicas";
  }
  if (desired < min_replicas) return {min_replicas, "TooFewReplicas"};
  if (desired > max_allowed) return {max_allowed, limiting};
  return {desired, "DesiredWithinRange"};
}

// ---- behavior path --------------------------------------------------------------------------

Stabilized stabilize_with_behaviors(std::vector<Recommendation>* recs, int32_t current,
                                    int32_t desired, SimTime now, int32_t up_window_s,
                                    int32_t down_window_s) {
  int32_t up_rec = desired, down_rec = desired;
  const SimTime up_cutoff = now - secs(up_window_s), down_cutoff = now - secs(down_window_s);
  bool found_old = false;
  std::size_t old_index = 0;
  for (std::size_t i = 0; i < recs->size(); ++i) {
    const Recommendation& r = (*recs)[i];
    if (r.timestamp > up_cutoff) up_rec = std::min(r.replicas, up_rec);  // age < window
    if (r.timestamp > down_cutoff) down_rec = std::max(r.replicas, down_rec);
    if (r.timestamp < up_cutoff && r.timestamp < down_cutoff) {
      found_old = true;
      old_index = i;
    }
  }
  int32_t result = current;
  if (result < up_rec) result = up_rec;
  if (result > down_rec) result = down_rec;
  if (found_old) {
    (*recs)[old_index] = {desired, now};  // the unstabilized recommendation
  } else {
    recs->push_back({desired, now});
  }
  return {result, desired >= current ? "ScaleUpStabilized" : "ScaleDownStabilized"};
}

int32_t replicas_change_per_period(int32_t period_s, const std::vector<ScaleEvent>& events,
                                   SimTime now) {
  const SimTime cutoff = now - secs(period_s);
  int32_t sum = 0;
  for (const ScaleEvent& e : events) {
    if (e.timestamp > cutoff) sum += e.change;  // After(cutoff): age < period
  }
  return sum;
}

int32_t scale_up_limit(int32_t current, const std::vector<ScaleEvent>& up,
                       const std::vector<ScaleEvent>& down, const EffectiveRules& rules,
                       SimTime now) {
  if (rules.select_policy == SelectPolicy::kDisabled) return current;
  const bool pick_min = rules.select_policy == SelectPolicy::kMin;
  int32_t result =
      pick_min ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
  for (const ScalingPolicy& p : rules.policies) {
    const int32_t start = current - replicas_change_per_period(p.period_s, up, now) +
                          replicas_change_per_period(p.period_s, down, now);
    int32_t proposed;
    if (p.type == ScalingPolicy::Type::kPods) {
      proposed = start + p.value;
    } else {
      // Rounded up, or a small percentage could never add a pod.
      proposed =
          static_cast<int32_t>(std::ceil(static_cast<double>(start) * (1.0 + p.value / 100.0)));
    }
    result = pick_min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

int32_t scale_down_limit(int32_t current, const std::vector<ScaleEvent>& up,
                         const std::vector<ScaleEvent>& down, const EffectiveRules& rules,
                         SimTime now) {
  if (rules.select_policy == SelectPolicy::kDisabled) return current;
  const bool pick_min_change = rules.select_policy == SelectPolicy::kMin;  // the highest floor
  int32_t result =
      pick_min_change ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
  for (const ScalingPolicy& p : rules.policies) {
    const int32_t start = current - replicas_change_per_period(p.period_s, up, now) +
                          replicas_change_per_period(p.period_s, down, now);
    int32_t proposed;
    if (p.type == ScalingPolicy::Type::kPods) {
      proposed = start - p.value;
    } else {
      proposed =
          static_cast<int32_t>(static_cast<double>(start) * (1.0 - p.value / 100.0));  // truncation
    }
    result = pick_min_change ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

Limited convert_with_behavior_rate(int32_t current, int32_t desired, int32_t min_replicas,
                                   int32_t max_replicas, const std::vector<ScaleEvent>& up,
                                   const std::vector<ScaleEvent>& down,
                                   const EffectiveRules& up_rules, const EffectiveRules& down_rules,
                                   SimTime now) {
  if (desired > current) {
    int32_t limit = scale_up_limit(current, up, down, up_rules, now);
    if (limit < current) limit = current;  // the period's budget is used up: stay
    int32_t max_allowed = max_replicas;
    std::string reason;
    if (max_allowed > limit) {
      max_allowed = limit;
      reason = "ScaleUpLimit";
    } else {
      reason = "TooManyReplicas";
    }
    if (desired > max_allowed) return {max_allowed, reason};
  } else if (desired < current) {
    int32_t limit = scale_down_limit(current, up, down, down_rules, now);
    if (limit > current) limit = current;
    int32_t min_allowed = min_replicas;
    std::string reason;
    if (min_allowed < limit) {
      min_allowed = limit;
      reason = "ScaleDownLimit";
    } else {
      reason = "TooFewReplicas";
    }
    if (desired < min_allowed) return {min_allowed, reason};
  }
  return {desired, "DesiredWithinRange"};
}

void store_scale_event(std::vector<ScaleEvent>* events, const EffectiveRules& rules, int32_t change,
                       SimTime now) {
  int32_t longest = 0;
  for (const ScalingPolicy& p : rules.policies) longest = std::max(longest, p.period_s);
  const SimTime cutoff = now - secs(longest);
  bool found_old = false;
  std::size_t old_index = 0;
  for (std::size_t i = 0; i < events->size(); ++i) {
    if ((*events)[i].timestamp < cutoff) (*events)[i].outdated = true;
    if ((*events)[i].outdated) {
      found_old = true;
      old_index = i;
    }
  }
  const ScaleEvent e{change, now, false};
  if (found_old) {
    (*events)[old_index] = e;
  } else {
    events->push_back(e);
  }
}

// ---- the controller -------------------------------------------------------------------------

HpaController::HpaController(HpaSpec spec, ControllerConfig cfg)
    : spec_(std::move(spec)), cfg_(cfg) {
  if (spec_.metrics.empty()) spec_.metrics.push_back(MetricSpec{});  // API default: cpu 80%
}

MetricResult HpaController::compute_metric(const MetricSpec& m, const MetricObservation& o,
                                           const Observation& obs, const Tolerances& tol) const {
  MetricResult r;
  const GroupConfig gc{cfg_.cpu_initialization_period, cfg_.initial_readiness_delay};
  auto fail = [&](const char* reason, std::string error) {
    r.valid = false;
    r.error_reason = reason;
    r.error = std::move(error);
    return r;
  };
  switch (m.type) {
    case MetricSourceType::kResource: {
      const bool cpu = m.name == "cpu";
      if (!cpu && m.name != "memory")
        return fail("FailedGetResourceMetric", "unsupported resource " + m.name);
      if (o.fetch_error)
        return fail("FailedGetResourceMetric",
                    "unable to get metrics for resource " + m.name + ": " + o.fetch_error_message);
      if (m.target == TargetType::kAverageValue) {
        const auto out = plain_metric_replicas(obs.spec_replicas, m.value_milli, cpu, obs.pods,
                                               o.samples(), obs.now, tol, gc);
        if (!out.value)
          return fail("FailedGetResourceMetric",
                      "failed to get " + m.name + " usage: " + out.error);
        r.proposal = out.value->replicas;
        r.current_milli = out.value->usage;
        r.trace = out.value->trace;
        r.description = m.name + " resource";
      } else if (m.target == TargetType::kUtilization) {
        const auto out = resource_utilization_replicas(obs.spec_replicas, m.average_utilization,
                                                       cpu ? Resource::kCpu : Resource::kMemory,
                                                       obs.pods, o.samples(), obs.now, tol, gc);
        if (!out.value)
          return fail("FailedGetResourceMetric",
                      "failed to get " + m.name + " utilization: " + out.error);
        r.proposal = out.value->replicas;
        r.trace = out.value->trace;
        r.utilization = out.value->utilization;
        r.current_milli = out.value->raw_average;
        r.description = m.name + " resource utilization (percentage of request)";
      } else {
        return fail("FailedGetResourceMetric",
                    "invalid resource metric source: neither a utilization target nor a value "
                    "target was set");
      }
      break;
    }
    case MetricSourceType::kPods: {
      if (o.fetch_error)
        return fail("FailedGetPodsMetric",
                    "unable to get metric " + m.name + ": " + o.fetch_error_message);
      const auto out = plain_metric_replicas(obs.spec_replicas, m.value_milli, false, obs.pods,
                                             o.samples(), obs.now, tol, gc);
      if (!out.value) return fail("FailedGetPodsMetric", out.error);
      r.proposal = out.value->replicas;
      r.current_milli = out.value->usage;
      r.trace = out.value->trace;
      r.description = "pods metric " + m.name;
      break;
    }
    case MetricSourceType::kObject:
    case MetricSourceType::kExternal: {
      const bool object = m.type == MetricSourceType::kObject;
      const char* reason = object ? "FailedGetObjectMetric" : "FailedGetExternalMetric";
      if (o.fetch_error)
        return fail(reason, "unable to get metric " + m.name + ": " + o.fetch_error_message);
      int64_t usage = o.object_value_milli;
      if (!object) {
        usage = 0;
        for (int64_t v : o.external_values_milli) usage += v;
      }
      if (m.target == TargetType::kValue) {
        const auto out = value_replicas(obs.spec_replicas, usage, m.value_milli, obs.pods, tol);
        if (!out.value) return fail(reason, out.error);
        r.proposal = out.value->replicas;
        r.current_milli = out.value->usage;
        r.trace = out.value->trace;
      } else if (m.target == TargetType::kAverageValue) {
        const UsageResult u =
            average_value_replicas(obs.status_replicas, usage, m.value_milli, tol);
        r.proposal = u.replicas;
        r.current_milli = u.usage;
        r.trace = u.trace;
      } else {
        return fail(
            reason,
            "invalid metric source: neither a value target nor an average value target was set");
      }
      r.description = std::string(object ? "object metric " : "external metric ") + m.name;
      break;
    }
    case MetricSourceType::kInvalid:
      return fail("InvalidMetricSourceType", "unknown metric source type \"" + m.type_name + "\"");
  }
  r.valid = true;
  return r;
}

Tolerances HpaController::tolerances() const {
  Tolerances tol{cfg_.tolerance, cfg_.tolerance};
  if (spec_.behavior) {
    if (spec_.behavior->scale_up && spec_.behavior->scale_up->tolerance)
      tol.scale_up = *spec_.behavior->scale_up->tolerance;
    if (spec_.behavior->scale_down && spec_.behavior->scale_down->tolerance)
      tol.scale_down = *spec_.behavior->scale_down->tolerance;
  }
  return tol;
}

bool HpaController::propose(const Observation& obs, Decision* d) const {
  const Tolerances tol = tolerances();
  d->tolerance = tol;
  int32_t proposal = 0;
  std::string proposal_metric;
  int invalid = 0;
  const MetricResult* first_invalid = nullptr;
  d->metrics.reserve(spec_.metrics.size());
  for (std::size_t i = 0; i < spec_.metrics.size(); ++i) {
    static const MetricObservation kNone = [] {
      MetricObservation none;
      none.fetch_error = true;
      none.fetch_error_message = "no metrics available";
      return none;
    }();
    const MetricObservation& o = i < obs.metrics.size() ? obs.metrics[i] : kNone;
    d->metrics.push_back(compute_metric(spec_.metrics[i], o, obs, tol));
    const MetricResult& r = d->metrics.back();
    if (!r.valid) {
      if (invalid++ == 0) first_invalid = &r;
    } else if (proposal == 0 || r.proposal > proposal) {
      proposal = r.proposal;
      proposal_metric = r.description;
    }
  }
  if (invalid >= static_cast<int>(spec_.metrics.size()) ||
      (invalid > 0 && proposal < obs.spec_replicas)) {
    // Every metric failed, or some failed and the rest would scale down: do nothing.
    d->scaling_active = first_invalid->error_reason;
    d->metrics_failed = true;
    d->desired = d->current;
    d->reason = first_invalid->error;
    return false;
  }
  d->scaling_active = "ValidMetricFound";
  d->metric_proposal = proposal;
  const int32_t desired = std::max(proposal, 0);
  if (desired > d->current) d->reason = proposal_metric + " above target";
  if (desired < d->current) d->reason = "All metrics below target";
  return true;
}

int32_t HpaController::normalize(int32_t current, int32_t desired, sim::SimTime now, Decision* d) {
  const int32_t min_r = spec_.min_replicas, max_r = spec_.max_replicas;
  d->recommendations_seen = *recommendations;
  d->behavior = spec_.behavior.has_value();
  if (!spec_.behavior) {
    d->down_window_s = static_cast<int32_t>(cfg_.downscale_stabilization.seconds());
    d->up_limit = static_cast<int32_t>(std::max(
        cfg_.scale_up_limit_factor * static_cast<double>(current), cfg_.scale_up_limit_minimum));
    const int32_t stabilized =
        stabilize_recommendation(&*recommendations, desired, now, cfg_.downscale_stabilization);
    d->stabilized = stabilized;
    d->able_to_scale = stabilized != desired ? "ScaleDownStabilized" : "ReadyForNewScale";
    const Limited lim = convert_with_rules(current, stabilized, min_r, max_r,
                                           cfg_.scale_up_limit_factor, cfg_.scale_up_limit_minimum);
    d->scaling_limited = lim.reason;
    return lim.replicas;
  }
  const EffectiveRules up = effective_scale_up(spec_.behavior->scale_up);
  const EffectiveRules down = effective_scale_down(spec_.behavior->scale_down, cfg_);
  d->up_window_s = up.stabilization_window_s;
  d->down_window_s = down.stabilization_window_s;
  d->up_limit =
      std::max(current, scale_up_limit(current, scale_up_events, scale_down_events, up, now));
  d->down_limit =
      std::min(current, scale_down_limit(current, scale_up_events, scale_down_events, down, now));
  const Stabilized st =
      stabilize_with_behaviors(&*recommendations, current, desired, now, up.stabilization_window_s,
                               down.stabilization_window_s);
  d->stabilized = st.replicas;
  d->able_to_scale = st.replicas != desired ? st.reason : "ReadyForNewScale";
  const Limited lim = convert_with_behavior_rate(current, st.replicas, min_r, max_r,
                                                 scale_up_events, scale_down_events, up, down, now);
  d->scaling_limited = lim.reason;
  return lim.replicas;
}

void HpaController::store_event(int32_t current, int32_t desired, sim::SimTime now) {
  if (!spec_.behavior) return;
  if (desired > current) {
    store_scale_event(&scale_up_events, effective_scale_up(spec_.behavior->scale_up),
                      desired - current, now);
  } else {
    store_scale_event(&scale_down_events, effective_scale_down(spec_.behavior->scale_down, cfg_),
                      current - desired, now);
  }
}

Decision HpaController::reconcile(const Observation& obs) {
  Decision d;
  d.at = obs.now;
  const int32_t current = obs.spec_replicas;
  d.current = current;
  d.min_replicas = spec_.min_replicas;
  d.max_replicas = spec_.max_replicas;
  d.able_to_scale = "SucceededGetScale";
  if (!recommendations) recommendations = std::vector<Recommendation>{{current, obs.now}};

  int32_t desired = 0;
  bool rescale = true;
  if (current == 0 && spec_.min_replicas != 0) {
    rescale = false;
    d.scaling_active = "ScalingDisabled";
  } else if (current > spec_.max_replicas) {
    d.reason = "Current number of replicas above Spec.MaxReplicas";
    desired = spec_.max_replicas;
  } else if (current < spec_.min_replicas) {
    d.reason = "Current number of replicas below Spec.MinReplicas";
    desired = spec_.min_replicas;
  } else {
    if (!propose(obs, &d)) return d;
    desired = normalize(current, std::max(d.metric_proposal, 0), obs.now, &d);
    rescale = desired != current;
  }
  d.desired = rescale ? desired : current;
  d.rescale = rescale;
  if (rescale) {
    d.able_to_scale = "SucceededRescale";
    store_event(current, desired, obs.now);
  }
  return d;
}

}  // namespace models::hpa
