#include "engine/hpa_check.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <ostream>
#include <sstream>

#include "config/yaml_reader.h"
#include "models/autoscaling/hpa_controller.h"

namespace engine {

namespace hpa = models::hpa;
using sim::SimTime;

namespace {

// The instant every case is evaluated at; ages are measured back from it.
constexpr SimTime kNow = sim::hours(24 * 365);

struct CaseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const YAML::Node field(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  if (!v.IsDefined()) throw CaseError(std::string("missing field '") + key + "'");
  return v;
}
bool is_null(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }
int64_t as_int(const YAML::Node& n) { return static_cast<int64_t>(std::llround(n.as<double>())); }
double as_double(const YAML::Node& n) { return n.as<double>(); }
// An age in seconds before kNow; null is Go's zero time.
SimTime age_time(const YAML::Node& n) {
  return is_null(n) ? hpa::kZeroTime : kNow - SimTime::from_seconds(as_double(n));
}

hpa::ScalingPolicy parse_policy(const YAML::Node& p) {
  hpa::ScalingPolicy r;
  const std::string type = field(p, "type").as<std::string>();
  if (type == "Pods")
    r.type = hpa::ScalingPolicy::Type::kPods;
  else if (type == "Percent")
    r.type = hpa::ScalingPolicy::Type::kPercent;
  else
    throw CaseError("unknown policy type " + type);
  r.value = static_cast<int32_t>(as_int(field(p, "value")));
  r.period_s = static_cast<int32_t>(as_int(field(p, "period_s")));
  return r;
}

hpa::SelectPolicy parse_select(const std::string& s) {
  if (s == "Max") return hpa::SelectPolicy::kMax;
  if (s == "Min") return hpa::SelectPolicy::kMin;
  if (s == "Disabled") return hpa::SelectPolicy::kDisabled;
  throw CaseError("unknown selectPolicy " + s);
}

std::optional<hpa::ScalingRules> parse_rules(const YAML::Node& n) {
  if (is_null(n)) return std::nullopt;
  hpa::ScalingRules r;
  if (!is_null(n["stabilization_window_s"]))
    r.stabilization_window_s = static_cast<int32_t>(as_int(n["stabilization_window_s"]));
  if (!is_null(n["select_policy"]))
    r.select_policy = parse_select(n["select_policy"].as<std::string>());
  if (!is_null(n["policies"])) {
    std::vector<hpa::ScalingPolicy> ps;
    for (const YAML::Node& p : n["policies"]) ps.push_back(parse_policy(p));
    r.policies = ps;
  }
  if (!is_null(n["tolerance"])) r.tolerance = as_double(n["tolerance"]);
  return r;
}

hpa::EffectiveRules complete_rules(const YAML::Node& n) {
  const auto r = parse_rules(n);
  if (!r) throw CaseError("rules are null");
  hpa::EffectiveRules e;
  e.stabilization_window_s = r->stabilization_window_s.value_or(0);
  e.select_policy = r->select_policy.value_or(hpa::SelectPolicy::kMax);
  e.policies = r->policies.value_or(std::vector<hpa::ScalingPolicy>{});
  return e;
}

hpa::Tolerances parse_tolerance(const YAML::Node& n) {
  hpa::Tolerances t;
  if (is_null(n)) return t;
  t.scale_up = as_double(field(n, "scale_up"));
  t.scale_down = as_double(field(n, "scale_down"));
  return t;
}

std::vector<hpa::ScaleEvent> parse_events(const YAML::Node& n) {
  std::vector<hpa::ScaleEvent> out;
  if (is_null(n)) return out;
  for (const YAML::Node& e : n) {
    out.push_back({static_cast<int32_t>(as_int(field(e, "replica_change"))),
                   age_time(field(e, "age_s")), false});
  }
  return out;
}

std::vector<hpa::Recommendation> parse_history(const YAML::Node& n) {
  std::vector<hpa::Recommendation> out;
  for (const YAML::Node& r : n) {
    out.push_back(
        {static_cast<int32_t>(as_int(field(r, "replicas"))), age_time(field(r, "age_s"))});
  }
  return out;
}

hpa::PodStatus parse_pod(const YAML::Node& p) {
  hpa::PodStatus s;
  s.name = field(p, "name").as<std::string>();
  const std::string phase = field(p, "phase").as<std::string>();
  if (phase == "Running")
    s.phase = hpa::PodPhase::kRunning;
  else if (phase == "Pending")
    s.phase = hpa::PodPhase::kPending;
  else if (phase == "Failed")
    s.phase = hpa::PodPhase::kFailed;
  else if (phase == "Succeeded")
    s.phase = hpa::PodPhase::kSucceeded;
  else
    throw CaseError("unknown pod phase " + phase);
  const YAML::Node ready = p["ready_condition"];
  if (is_null(ready))
    s.ready = hpa::ReadyCondition::kNone;
  else
    s.ready = ready.as<std::string>() == "True" ? hpa::ReadyCondition::kTrue
                                                : hpa::ReadyCondition::kFalse;
  s.start_time = age_time(p["start_age_s"]);
  s.ready_transition = age_time(p["ready_ltt_age_s"]);
  s.deleting = !is_null(p["deleting"]) && p["deleting"].as<bool>();
  if (!is_null(p["request_milli"])) s.cpu_request_milli = as_int(p["request_milli"]);
  return s;
}

std::vector<hpa::PodStatus> parse_pods(const YAML::Node& n) {
  std::vector<hpa::PodStatus> out;
  if (is_null(n)) return out;
  for (const YAML::Node& p : n) out.push_back(parse_pod(p));
  return out;
}

// Samples from each pod's usage_milli (null = no sample) plus metrics for pods the HPA does not
// know (superfluous metrics).
hpa::PodMetrics parse_pod_metrics(const YAML::Node& pods, const YAML::Node& unknown) {
  hpa::PodMetrics m;
  if (!is_null(pods)) {
    for (const YAML::Node& p : pods) {
      if (is_null(p["usage_milli"])) continue;
      hpa::MetricSample s;
      s.value_milli = as_int(p["usage_milli"]);
      s.timestamp = age_time(p["metric_age_s"]);
      if (!is_null(p["metric_window_s"]))
        s.window = SimTime::from_seconds(as_double(p["metric_window_s"]));
      m[p["name"].as<std::string>()] = s;
    }
  }
  if (!is_null(unknown)) {
    for (const YAML::Node& u : unknown)
      m[field(u, "name").as<std::string>()] = {as_int(field(u, "usage_milli")), kNow,
                                               sim::seconds(60)};
  }
  return m;
}

hpa::GroupConfig group_config(const YAML::Node& c) {
  hpa::GroupConfig g;
  if (is_null(c)) return g;
  g.cpu_initialization_period =
      SimTime::from_seconds(as_double(field(c, "cpu_initialization_period_s")));
  g.initial_readiness_delay =
      SimTime::from_seconds(as_double(field(c, "delay_of_initial_readiness_status_s")));
  return g;
}

// Collects comparisons of one case.
class Checker {
 public:
  explicit Checker(const YAML::Node& expected) : exp_(expected) {}
  template <class T>
  void eq(const char* key, const T& got) {
    const YAML::Node e = exp_[key];
    if (!e.IsDefined()) return;  // not asserted by this case
    std::ostringstream want, have;
    if (e.IsNull()) {
      want << "null";
    } else {
      want << e.as<std::string>();
    }
    have << got;
    if (want.str() != have.str())
      diff_ += std::string(diff_.empty() ? "" : "; ") + key + " expected " + want.str() + ", got " +
               have.str();
  }
  void raw(const std::string& what, const std::string& want, const std::string& got) {
    if (want != got)
      diff_ += (diff_.empty() ? "" : "; ") + what + " expected " + want + ", got " + got;
  }
  const YAML::Node& expected() const { return exp_; }
  const std::string& diff() const { return diff_; }

 private:
  YAML::Node exp_;
  std::string diff_;
};

std::string group_name(const hpa::PodGroups& g, const std::string& pod) {
  if (g.ignored.count(pod)) return "ignored";
  if (g.unready.count(pod)) return "unready";
  if (g.missing.count(pod)) return "missing";
  return "ready";
}

// The hpa_group each pod's entry carries, against group_pods (CPU rules).
void check_groups(Checker& c, const YAML::Node& pods_node, const std::vector<hpa::PodStatus>& pods,
                  const hpa::PodMetrics& metrics, const hpa::GroupConfig& gc) {
  if (is_null(pods_node)) return;
  const hpa::PodGroups g = hpa::group_pods(pods, metrics, true, kNow, gc);
  std::size_t i = 0;
  for (const YAML::Node& p : pods_node) {
    if (!is_null(p["hpa_group"])) {
      c.raw("group of " + pods[i].name, p["hpa_group"].as<std::string>(),
            group_name(g, pods[i].name));
    }
    ++i;
  }
}

std::string policies_text(const std::vector<hpa::ScalingPolicy>& ps) {
  std::string s = "[";
  for (const auto& p : ps) {
    if (s.size() > 1) s += ", ";
    s += std::string(p.type == hpa::ScalingPolicy::Type::kPods ? "Pods" : "Percent") + " " +
         std::to_string(p.value) + "/" + std::to_string(p.period_s) + "s";
  }
  return s + "]";
}

hpa::MetricSpec parse_metric_spec(const YAML::Node& m, hpa::MetricObservation* obs,
                                  const YAML::Node& pods, const YAML::Node& unknown) {
  hpa::MetricSpec s;
  const std::string type = field(m, "type").as<std::string>();
  s.type_name = type;
  obs->fetch_error = !is_null(m["fetch_error"]) && m["fetch_error"].as<bool>();
  if (obs->fetch_error) obs->fetch_error_message = "the metrics API returned an error";
  auto values_sum = [&](const YAML::Node& v) {
    std::vector<int64_t> out;
    if (is_null(v)) return out;
    if (v.IsSequence()) {
      for (const YAML::Node& x : v) out.push_back(as_int(x));
    } else {
      out.push_back(as_int(v));
    }
    return out;
  };
  if (type == "Resource") {
    s.type = hpa::MetricSourceType::kResource;
    s.name = m["resource"].IsDefined() ? m["resource"].as<std::string>() : "cpu";
    if (!is_null(m["target_average_utilization_percent"])) {
      s.target = hpa::TargetType::kUtilization;
      s.average_utilization = static_cast<int32_t>(as_int(m["target_average_utilization_percent"]));
    } else if (!is_null(m["target_average_value_milli"])) {
      s.target = hpa::TargetType::kAverageValue;
      s.value_milli = as_int(m["target_average_value_milli"]);
    } else {
      s.target = hpa::TargetType::kValue;  // neither target set: invalid when evaluated
    }
    obs->pod_metrics = parse_pod_metrics(pods, unknown);
  } else if (type == "Pods") {
    s.type = hpa::MetricSourceType::kPods;
    s.name = field(m, "metric").as<std::string>();
    s.target = hpa::TargetType::kAverageValue;
    s.value_milli = as_int(field(m, "target_average_value_milli"));
    const std::vector<int64_t> values = values_sum(m["values_milli"]);
    std::size_t i = 0;
    for (const YAML::Node& p : pods) {
      if (i < values.size())
        obs->pod_metrics[p["name"].as<std::string>()] = {values[i], kNow, sim::seconds(60)};
      ++i;
    }
  } else if (type == "ObjectValue" || type == "ObjectAverageValue" || type == "ExternalValue" ||
             type == "ExternalAverageValue") {
    const bool object = type.rfind("Object", 0) == 0;
    s.type = object ? hpa::MetricSourceType::kObject : hpa::MetricSourceType::kExternal;
    s.name = field(m, "metric").as<std::string>();
    const bool average = type.find("AverageValue") != std::string::npos;
    s.target = average ? hpa::TargetType::kAverageValue : hpa::TargetType::kValue;
    s.value_milli = as_int(field(m, average ? "target_average_value_milli" : "target_value_milli"));
    const std::vector<int64_t> values = values_sum(object ? m["value_milli"] : m["values_milli"]);
    if (object) {
      obs->object_value_milli = values.empty() ? 0 : values[0];
    } else {
      obs->external_values_milli = values;
    }
  } else {
    s.type = hpa::MetricSourceType::kInvalid;
  }
  return s;
}

hpa::ControllerConfig controller_config(const YAML::Node& c) {
  hpa::ControllerConfig cfg;
  if (is_null(c)) return cfg;
  cfg.downscale_stabilization =
      SimTime::from_seconds(as_double(field(c, "downscale_stabilization_window_s")));
  const hpa::Tolerances t = parse_tolerance(c["tolerance"]);
  cfg.tolerance = t.scale_up;
  cfg.cpu_initialization_period =
      SimTime::from_seconds(as_double(field(c, "cpu_initialization_period_s")));
  cfg.initial_readiness_delay =
      SimTime::from_seconds(as_double(field(c, "delay_of_initial_readiness_status_s")));
  cfg.scale_up_limit_factor = as_double(field(c, "scale_up_limit_factor"));
  cfg.scale_up_limit_minimum = as_double(field(c, "scale_up_limit_minimum"));
  return cfg;
}

void check_reconcile(const YAML::Node& in, Checker& c) {
  hpa::HpaSpec spec;
  spec.min_replicas = static_cast<int32_t>(as_int(field(in, "min_replicas")));
  spec.max_replicas = static_cast<int32_t>(as_int(field(in, "max_replicas")));
  const YAML::Node pods_node = in["pods"];
  const YAML::Node unknown = in["metrics_for_unknown_pods"];
  hpa::Observation obs;
  obs.now = kNow;
  obs.spec_replicas = static_cast<int32_t>(as_int(field(in, "spec_replicas")));
  obs.status_replicas = static_cast<int32_t>(as_int(field(in, "status_replicas")));
  obs.pods = parse_pods(pods_node);
  bool has_cpu = false;
  for (const YAML::Node& m : field(in, "metrics")) {
    hpa::MetricObservation o;
    spec.metrics.push_back(parse_metric_spec(m, &o, pods_node, unknown));
    has_cpu |= spec.metrics.back().type == hpa::MetricSourceType::kResource &&
               spec.metrics.back().name == "cpu";
    obs.metrics.push_back(std::move(o));
  }
  const YAML::Node beh = in["behavior"];
  if (!is_null(beh))
    spec.behavior = hpa::Behavior{parse_rules(beh["scale_up"]), parse_rules(beh["scale_down"])};
  const hpa::ControllerConfig cfg = controller_config(in["controller_config"]);
  hpa::HpaController ctl(spec, cfg);
  const YAML::Node hist = in["recommendation_history"];
  if (!is_null(hist)) ctl.recommendations = parse_history(hist);
  const hpa::Decision d = ctl.reconcile(obs);
  c.eq("desired_replicas", d.desired);
  if (c.expected()["cpu_utilization_percent"].IsDefined()) {
    std::string got = "none";
    for (std::size_t i = 0; i < d.metrics.size(); ++i) {
      if (d.metrics[i].utilization && spec.metrics[i].name == "cpu")
        got = std::to_string(*d.metrics[i].utilization);
    }
    c.raw("cpu_utilization_percent", c.expected()["cpu_utilization_percent"].as<std::string>(),
          got);
  }
  const YAML::Node conds = c.expected()["conditions"];
  if (conds.IsDefined()) {
    for (auto it = conds.begin(); it != conds.end(); ++it) {
      const std::string type = it->first.as<std::string>();
      const std::string want = it->second.as<std::string>();
      std::string got;
      if (type == "AbleToScale")
        got = d.able_to_scale;
      else if (type == "ScalingActive")
        got = d.scaling_active;
      else if (type == "ScalingLimited")
        got = d.scaling_limited;
      else
        throw CaseError("unknown condition " + type);
      c.raw("condition " + type, want, got.empty() ? "(unset)" : got);
    }
  }
  if (has_cpu) {
    check_groups(c, pods_node, obs.pods, parse_pod_metrics(pods_node, unknown),
                 {cfg.cpu_initialization_period, cfg.initial_readiness_delay});
  }
}

void check_api_defaults(const YAML::Node& in, Checker& c) {
  const bool up = in["scale_up_rules"].IsDefined();
  const hpa::ScalingRules r = up ? hpa::api_default_scale_up(parse_rules(in["scale_up_rules"]))
                                 : hpa::api_default_scale_down(parse_rules(in["scale_down_rules"]));
  c.eq("select_policy", hpa::select_policy_name(*r.select_policy));
  if (c.expected()["stabilization_window_s"].IsDefined()) {
    c.raw("stabilization_window_s",
          is_null(c.expected()["stabilization_window_s"])
              ? "null"
              : c.expected()["stabilization_window_s"].as<std::string>(),
          r.stabilization_window_s ? std::to_string(*r.stabilization_window_s) : "null");
  }
  std::vector<hpa::ScalingPolicy> want;
  for (const YAML::Node& p : c.expected()["policies"]) want.push_back(parse_policy(p));
  c.raw("policies", policies_text(want), policies_text(*r.policies));
}

void check_convert_with_rules(const YAML::Node& in, Checker& c) {
  const hpa::Limited l = hpa::convert_with_rules(
      static_cast<int32_t>(as_int(field(in, "current_replicas"))),
      static_cast<int32_t>(as_int(field(in, "prenormalized_desired_replicas"))),
      static_cast<int32_t>(as_int(field(in, "min_replicas"))),
      static_cast<int32_t>(as_int(field(in, "max_replicas"))),
      as_double(field(in, "scale_up_limit_factor")),
      as_double(field(in, "scale_up_limit_minimum")));
  c.eq("replicas", l.replicas);
  c.eq("condition_reason", l.reason);
}

void check_stabilize(const YAML::Node& in, Checker& c) {
  std::vector<hpa::Recommendation> recs = parse_history(field(in, "recommendation_history"));
  const int32_t s = hpa::stabilize_recommendation(
      &recs, static_cast<int32_t>(as_int(field(in, "prenormalized_desired_replicas"))), kNow,
      SimTime::from_seconds(as_double(field(in, "downscale_stabilization_window_s"))));
  c.eq("stabilized_replicas", s);
  c.eq("history_length_after", recs.size());
}

void check_stabilize_with_behaviors(const YAML::Node& in, Checker& c) {
  std::vector<hpa::Recommendation> recs = parse_history(field(in, "recommendation_history"));
  const hpa::Stabilized s = hpa::stabilize_with_behaviors(
      &recs, static_cast<int32_t>(as_int(field(in, "current_replicas"))),
      static_cast<int32_t>(as_int(field(in, "prenormalized_desired_replicas"))), kNow,
      static_cast<int32_t>(as_int(field(in, "scale_up_stabilization_window_s"))),
      static_cast<int32_t>(as_int(field(in, "scale_down_stabilization_window_s"))));
  c.eq("stabilized_replicas", s.replicas);
  if (c.expected()["history_replicas_after"].IsDefined()) {
    std::string want, got;
    for (const YAML::Node& r : c.expected()["history_replicas_after"])
      want += r.as<std::string>() + " ";
    for (const auto& r : recs) got += std::to_string(r.replicas) + " ";
    c.raw("history_replicas_after", want, got);
  }
}

void check_behavior_rate(const YAML::Node& in, Checker& c) {
  hpa::ControllerConfig cfg;
  const hpa::EffectiveRules up =
      hpa::effective_scale_up(parse_rules(in["scale_up_rules_as_given"]));
  const hpa::EffectiveRules down =
      hpa::effective_scale_down(parse_rules(in["scale_down_rules_as_given"]), cfg);
  const hpa::Limited l = hpa::convert_with_behavior_rate(
      static_cast<int32_t>(as_int(field(in, "current_replicas"))),
      static_cast<int32_t>(as_int(field(in, "desired_replicas_after_stabilization"))),
      static_cast<int32_t>(as_int(field(in, "min_replicas"))),
      static_cast<int32_t>(as_int(field(in, "max_replicas"))), parse_events(in["scale_up_events"]),
      parse_events(in["scale_down_events"]), up, down, kNow);
  c.eq("replicas", l.replicas);
  c.eq("condition_reason", l.reason);
}

void check_scale_limit(const YAML::Node& in, Checker& c, const std::string& kind) {
  const bool up = kind == "normalize.scale_up_limit";
  const hpa::EffectiveRules rules = complete_rules(field(in, "rules"));
  const int32_t current = static_cast<int32_t>(as_int(field(in, "current_replicas")));
  const auto ue = parse_events(in["scale_up_events"]), de = parse_events(in["scale_down_events"]);
  if (up)
    c.eq("scale_up_limit", hpa::scale_up_limit(current, ue, de, rules, kNow));
  else
    c.eq("scale_down_limit", hpa::scale_down_limit(current, ue, de, rules, kNow));
}

void check_store_scale_event(const YAML::Node& in, Checker& c) {
  std::vector<hpa::ScaleEvent> events = parse_events(field(in, "previous_events"));
  c.eq("replica_change_in_last_60s_before_store",
       hpa::replicas_change_per_period(60, events, kNow));
  if (!is_null(in["rules"])) {
    hpa::store_scale_event(&events, complete_rules(in["rules"]),
                           static_cast<int32_t>(as_int(field(in, "new_replica_change"))), kNow);
  }
  if (c.expected()["events_after"].IsDefined()) {
    std::string want, got;
    for (const YAML::Node& e : c.expected()["events_after"]) {
      want +=
          e["replica_change"].as<std::string>() + (e["outdated"].as<bool>() ? "(outdated) " : " ");
    }
    for (const auto& e : events)
      got += std::to_string(e.change) + (e.outdated ? "(outdated) " : " ");
    c.raw("events_after", want, got);
  }
}

void check_resource_utilization(const YAML::Node& in, Checker& c) {
  const auto pods = parse_pods(field(in, "pods"));
  const auto metrics = parse_pod_metrics(in["pods"], in["metrics_for_unknown_pods"]);
  const hpa::GroupConfig gc = group_config(in["test_constants"]);
  const auto out = hpa::resource_utilization_replicas(
      static_cast<int32_t>(as_int(field(in, "current_replicas"))),
      static_cast<int32_t>(as_int(field(in, "target_average_utilization_percent"))),
      hpa::Resource::kCpu, pods, metrics, kNow, parse_tolerance(in["tolerance"]), gc);
  if (!out.value) {
    c.raw("result", "a proposal", "error: " + out.error);
  } else {
    c.eq("replicas", out.value->replicas);
    c.eq("utilization_percent", out.value->utilization);
    c.eq("raw_average_usage_milli", out.value->raw_average);
  }
  check_groups(c, in["pods"], pods, metrics, gc);
}

void check_pods_average_value(const YAML::Node& in, Checker& c) {
  const auto pods = parse_pods(field(in, "pods"));
  const auto out = hpa::plain_metric_replicas(
      static_cast<int32_t>(as_int(field(in, "current_replicas"))),
      as_int(field(in, "target_average_value_milli")), false, pods,
      parse_pod_metrics(in["pods"], YAML::Node()), kNow, parse_tolerance(in["tolerance"]), {});
  if (!out.value) {
    c.raw("result", "a proposal", "error: " + out.error);
  } else {
    c.eq("replicas", out.value->replicas);
    c.eq("usage_average_milli", out.value->usage);
  }
}

void check_value(const YAML::Node& in, Checker& c, const std::string& kind) {
  const bool object = kind == "replica_calc.object_value";
  int64_t usage = 0;
  if (object) {
    usage = as_int(field(in, "object_value_milli"));
  } else {
    for (const YAML::Node& v : field(in, "external_values_milli")) usage += as_int(v);
  }
  const auto out = hpa::value_replicas(static_cast<int32_t>(as_int(field(in, "spec_replicas"))),
                                       usage, as_int(field(in, "target_value_milli")),
                                       parse_pods(in["pods"]), parse_tolerance(in["tolerance"]));
  if (!out.value) {
    c.raw("result", "a proposal", "error: " + out.error);
  } else {
    c.eq("replicas", out.value->replicas);
    c.eq("usage_milli", out.value->usage);
  }
}

void check_average_value(const YAML::Node& in, Checker& c) {
  const hpa::UsageResult u = hpa::average_value_replicas(
      static_cast<int32_t>(as_int(field(in, "status_replicas"))),
      as_int(field(in, "total_value_milli")), as_int(field(in, "target_average_value_milli")),
      parse_tolerance(in["tolerance"]));
  c.eq("replicas", u.replicas);
  c.eq("usage_per_pod_milli", u.usage);
}

// One function per kind of case (the "kind" field of hpa-cases.json).
void check_case(const std::string& kind, const YAML::Node& in, Checker& c) {
  if (kind == "controller.reconcile") return check_reconcile(in, c);
  if (kind == "api.defaults") return check_api_defaults(in, c);
  if (kind == "normalize.convert_desired_replicas_with_rules")
    return check_convert_with_rules(in, c);
  if (kind == "normalize.stabilize_recommendation") return check_stabilize(in, c);
  if (kind == "normalize.stabilize_recommendation_with_behaviors")
    return check_stabilize_with_behaviors(in, c);
  if (kind == "normalize.convert_desired_replicas_with_behavior_rate")
    return check_behavior_rate(in, c);
  if (kind == "normalize.scale_up_limit") return check_scale_limit(in, c, kind);
  if (kind == "normalize.scale_down_limit") return check_scale_limit(in, c, kind);
  if (kind == "normalize.store_scale_event") return check_store_scale_event(in, c);
  if (kind == "replica_calc.resource_utilization") return check_resource_utilization(in, c);
  if (kind == "replica_calc.pods_average_value") return check_pods_average_value(in, c);
  if (kind == "replica_calc.object_value") return check_value(in, c, kind);
  if (kind == "replica_calc.external_value") return check_value(in, c, kind);
  if (kind == "replica_calc.object_average_value") return check_average_value(in, c);
  if (kind == "replica_calc.external_average_value") return check_average_value(in, c);
  throw CaseError("unknown case kind '" + kind + "'");
}

}  // namespace

HpaCheckTotals run_hpa_check(const std::string& path, std::ostream& out, bool verbose) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw config::ScenarioError({path, 0, 0}, "", "cannot open file");
  } catch (const YAML::ParserException& e) {
    throw config::ScenarioError({path, e.mark.line + 1, e.mark.column + 1}, "",
                                "not valid JSON: " + e.msg);
  }
  if (!root.IsMap() || !root["cases"].IsSequence()) {
    throw config::ScenarioError(
        {path, 1, 1}, "cases",
        "expected an object with a 'cases' list (the hpa-cases.json format)");
  }
  HpaCheckTotals t;
  std::size_t index = 0;
  for (const YAML::Node& c : root["cases"]) {
    const std::string name = c["name"].IsDefined() ? c["name"].as<std::string>()
                                                   : "cases[" + std::to_string(index) + "]";
    ++index;
    if (c["uncertain"].IsDefined() && c["uncertain"].as<bool>()) {
      ++t.skipped;
      if (verbose) {
        std::string why = c["version_note"].IsDefined() ? c["version_note"].as<std::string>()
                          : c["note"].IsDefined()       ? c["note"].as<std::string>()
                                                        : "marked uncertain";
        out << "SKIP " << name << ": uncertain: " << why << "\n";
      }
      continue;
    }
    try {
      Checker checker(c["expected"]);
      check_case(c["kind"].as<std::string>(), c["inputs"], checker);
      if (checker.diff().empty()) {
        ++t.passed;
        if (verbose) out << "ok   " << name << "\n";
      } else {
        ++t.failed;
        out << "FAIL " << name << ": " << checker.diff() << "\n";
      }
    } catch (const CaseError& e) {
      ++t.failed;
      out << "FAIL " << name << ": cannot evaluate: " << e.what() << "\n";
    } catch (const YAML::Exception& e) {
      ++t.failed;
      out << "FAIL " << name << ": malformed case: " << e.what() << "\n";
    }
  }
  out << t.passed << " passed, " << t.failed << " failed, " << t.skipped << " skipped\n";
  return t;
}

}  // namespace engine
