// config/load_autoscalers.cc: sites.<name>.autoscaler: one pod autoscaler per site (the HPA in
// Kubernetes' own autoscaling/v2 shape, inline or as a manifest file, or one of its rivals),
// with the HPA controller's flags and the metrics pipeline.
#include <tuple>
#include <type_traits>
#include <variant>

#include "config/loader.h"
#include "config/sections.h"
#include "models/autoscaling/metrics_pipeline.h"

namespace config {

namespace hpa = models::hpa;
using sim::SimTime;

namespace {

// ---- the HPA spec in Kubernetes' shape ------------------------------------------------------

// target: {type: Utilization, averageUtilization: 60} | {type: AverageValue, averageValue: 500m}
// | {type: Value, value: 2k}
void parse_target(const Node& n, hpa::MetricSpec* m,
                  std::initializer_list<std::string_view> allowed) {
  MapReader t = n.map();
  if (!n.present()) n.fail("required: the metric's target");
  const std::string type = t.required("type").choice(allowed);
  if (type == "Utilization") {
    m->target = hpa::TargetType::kUtilization;
    m->average_utilization =
        static_cast<int32_t>(t.required("averageUtilization").integer_in(1, 100000));
  } else if (type == "AverageValue") {
    m->target = hpa::TargetType::kAverageValue;
    const Node v = t.required("averageValue");
    m->value_milli = v.quantity_milli();
    if (m->value_milli <= 0) v.fail("must be positive");
  } else {
    m->target = hpa::TargetType::kValue;
    const Node v = t.required("value");
    m->value_milli = v.quantity_milli();
    if (m->value_milli <= 0) v.fail("must be positive");
  }
  t.finish();
}

// metric: {name: ..., selector: {...}}; the selector is accepted and not interpreted.
std::string parse_metric_id(const Node& n, bool pod_metric) {
  MapReader m = n.map();
  if (!n.present()) n.fail("required: metric: {name: ...}");
  const Node name_node = m.required("name");
  const std::string name = name_node.text();
  const bool known = pod_metric ? models::is_pod_metric(name) : models::is_workload_metric(name);
  if (!known) {
    const std::vector<std::string> names =
        pod_metric ? std::vector<std::string>{"requests_per_second", "concurrency"}
                   : std::vector<std::string>{"requests_per_second", "queue_length", "inflight"};
    name_node.fail("the simulation has no metric '" + name + "'; " +
                   suggest(name, names, "it offers"));
  }
  (void)m.get("selector");  // accepted: one workload per site, nothing to select
  m.finish();
  return name;
}

hpa::MetricSpec parse_metric(const Node& n) {
  MapReader m = n.map();
  hpa::MetricSpec s;
  const std::string type =
      m.required("type").choice({"Resource", "Pods", "Object", "External", "ContainerResource"});
  if (type == "Resource" || type == "ContainerResource") {
    s.type = hpa::MetricSourceType::kResource;
    const Node r = m.required(type == "Resource" ? "resource" : "containerResource");
    MapReader rm = r.map();
    s.name = rm.required("name").choice({"cpu", "memory"});
    if (type == "ContainerResource")
      (void)rm.required("container").text();  // one container per pod
    parse_target(rm.required("target"), &s, {"Utilization", "AverageValue"});
    rm.finish();
  } else if (type == "Pods") {
    s.type = hpa::MetricSourceType::kPods;
    MapReader pm = m.required("pods").map();
    s.name = parse_metric_id(pm.required("metric"), true);
    parse_target(pm.required("target"), &s, {"AverageValue"});
    pm.finish();
  } else if (type == "Object") {
    s.type = hpa::MetricSourceType::kObject;
    MapReader om = m.required("object").map();
    (void)om.get("describedObject");  // the site's ingress: accepted as written
    s.name = parse_metric_id(om.required("metric"), false);
    parse_target(om.required("target"), &s, {"Value", "AverageValue"});
    om.finish();
  } else {
    s.type = hpa::MetricSourceType::kExternal;
    MapReader em = m.required("external").map();
    s.name = parse_metric_id(em.required("metric"), false);
    parse_target(em.required("target"), &s, {"Value", "AverageValue"});
    em.finish();
  }
  s.type_name = type;
  m.finish();
  return s;
}

hpa::ScalingRules parse_rules(const Node& n) {
  MapReader m = n.map();
  hpa::ScalingRules r;
  if (const Node w = m.get("stabilizationWindowSeconds"); w.present()) {
    r.stabilization_window_s = static_cast<int32_t>(w.integer_in(0, 3600));
  }
  if (const Node p = m.get("selectPolicy"); p.present()) {
    const std::string v = p.choice({"Max", "Min", "Disabled"});
    r.select_policy = v == "Max"   ? hpa::SelectPolicy::kMax
                      : v == "Min" ? hpa::SelectPolicy::kMin
                                   : hpa::SelectPolicy::kDisabled;
  }
  if (const Node ps = m.get("policies"); ps.present()) {
    std::vector<hpa::ScalingPolicy> policies;
    for (const Node& pn : ps.list()) {
      MapReader pm = pn.map();
      hpa::ScalingPolicy p;
      p.type = pm.required("type").choice({"Pods", "Percent"}) == "Pods"
                   ? hpa::ScalingPolicy::Type::kPods
                   : hpa::ScalingPolicy::Type::kPercent;
      p.value = static_cast<int32_t>(pm.required("value").integer_in(1, 1'000'000));
      p.period_s = static_cast<int32_t>(pm.required("periodSeconds").integer_in(1, 1800));
      pm.finish();
      policies.push_back(p);
    }
    if (policies.empty())
      ps.fail("needs at least one policy (or leave policies out for the defaults)");
    r.policies = policies;
  }
  if (const Node t = m.get("tolerance"); t.present()) r.tolerance = t.quantity_milli() / 1000.0;
  m.finish();
  return r;
}

hpa::HpaSpec parse_hpa_spec(const Node& n) {
  MapReader m = n.map();
  hpa::HpaSpec spec;
  if (const Node mn = m.get("minReplicas"); mn.present())
    spec.min_replicas = static_cast<int32_t>(mn.integer_in(0, 100000));
  const Node mx = m.required("maxReplicas");
  spec.max_replicas = static_cast<int32_t>(mx.integer_in(1, 100000));
  if (spec.max_replicas < spec.min_replicas) mx.fail("must not be below minReplicas");
  (void)m.get("scaleTargetRef");  // the site's deployment, whatever the manifest names it
  for (const Node& mn : m.get("metrics").list()) spec.metrics.push_back(parse_metric(mn));
  if (const Node b = m.get("behavior"); b.present()) {
    MapReader bm = b.map();
    hpa::Behavior beh;
    if (const Node up = bm.get("scaleUp"); up.present()) beh.scale_up = parse_rules(up);
    if (const Node down = bm.get("scaleDown"); down.present()) beh.scale_down = parse_rules(down);
    bm.finish();
    spec.behavior = beh;
  }
  m.finish();
  return spec;
}

hpa::HpaSpec load_hpa_manifest(const std::string& path, const Overrides* overrides) {
  const Node root = load_yaml_text(read_text_file(path), path, overrides);
  if (!root.present()) root.fail("the manifest is empty");
  MapReader m = root.map();
  const Node api = m.required("apiVersion");
  const std::string v = api.text();
  if (v != "autoscaling/v2" && v != "autoscaling/v2beta2") {
    api.fail("'" + v + "' is not supported: write autoscaling/v2 (or autoscaling/v2beta2)");
  }
  const Node kind = m.required("kind");
  if (kind.text() != "HorizontalPodAutoscaler") kind.fail("expected HorizontalPodAutoscaler");
  (void)m.get("metadata");
  (void)m.get("status");
  hpa::HpaSpec spec = parse_hpa_spec(m.required("spec"));
  m.finish();
  return spec;
}

// ---- the rivals -----------------------------------------------------------------------------

std::pair<int32_t, int32_t> parse_min_max(MapReader& m, int32_t default_min) {
  const int32_t lo = m.get("min").present()
                         ? static_cast<int32_t>(m.get("min").integer_in(0, 100000))
                         : default_min;
  const Node mx = m.required("max");
  const int32_t hi = static_cast<int32_t>(mx.integer_in(1, 100000));
  if (hi < lo) mx.fail("must not be below min");
  return {lo, hi};
}

std::string parse_policy_metric(const Node& n) {
  return n.choice({"cpu", "requests_per_second", "concurrency"});
}

std::vector<models::ScheduleEntry> parse_schedule(const Node& n) {
  std::vector<models::ScheduleEntry> out;
  for (const Node& e : n.list()) {
    MapReader m = e.map();
    const Node at = m.required("at");
    models::ScheduleEntry entry;
    entry.at = at.duration_in(SimTime::zero(), kMaxDuration);
    if (!out.empty() && entry.at <= out.back().at) at.fail("schedule times must increase");
    entry.replicas = static_cast<int32_t>(m.required("replicas").integer_in(0, 100000));
    m.finish();
    out.push_back(entry);
  }
  if (out.empty()) n.fail("needs at least one entry: [{at: 0s, replicas: 4}, ...]");
  return out;
}

models::StepAlarm parse_alarm(const Node& n, bool scale_out) {
  MapReader m = n.map();
  models::StepAlarm a;
  a.enabled = true;
  a.threshold = m.required("threshold").number_in(0, 1e9);
  if (const Node e = m.get("evaluation_periods"); e.present())
    a.evaluation_periods = static_cast<int>(e.integer_in(1, 1000));
  if (const Node c = m.get("cooldown"); c.present())
    a.cooldown = c.duration_in(SimTime::zero(), sim::hours(24));
  const Node steps = m.required("steps");
  for (const Node& sn : steps.list()) {
    MapReader sm = sn.map();
    models::StepAdjustment adj;
    if (const Node l = sm.get("lower"); l.present()) adj.lower = l.number_in(-1e9, 1e9);
    if (const Node u = sm.get("upper"); u.present()) adj.upper = u.number_in(-1e9, 1e9);
    const Node c = sm.required("change");
    adj.change = static_cast<int>(c.integer_in(-100000, 100000));
    if (scale_out && adj.change <= 0)
      c.fail("a scale-out step adds pods: the change must be positive");
    if (!scale_out && adj.change >= 0)
      c.fail("a scale-in step removes pods: the change must be negative");
    sm.finish();
    a.steps.push_back(adj);
  }
  if (a.steps.empty()) steps.fail("needs at least one step");
  m.finish();
  return a;
}

using models::KnativeConfig;
using models::MetricsPipelineConfig;
using models::PredictiveConfig;
using models::StepScalingConfig;
using models::TargetTrackingConfig;

// The optional settings of each policy, with their ranges.
const Fields<TargetTrackingConfig> kTargetTracking{
    custom<TargetTrackingConfig>(
        "metric",
        [](const Node& v, TargetTrackingConfig& c) { c.metric = parse_policy_metric(v); }),
    duration("period", &TargetTrackingConfig::period, sim::seconds(1), sim::hours(1)),
    integer("scale_out_datapoints", &TargetTrackingConfig::scale_out_datapoints, 1, 1000),
    integer("scale_in_datapoints", &TargetTrackingConfig::scale_in_datapoints, 1, 1000),
    duration("scale_out_cooldown", &TargetTrackingConfig::scale_out_cooldown, SimTime::zero(),
             sim::hours(24)),
    duration("scale_in_cooldown", &TargetTrackingConfig::scale_in_cooldown, SimTime::zero(),
             sim::hours(24)),
    boolean("disable_scale_in", &TargetTrackingConfig::disable_scale_in),
    number("scale_in_ratio", &TargetTrackingConfig::scale_in_ratio, 0.01, 1),
};

const Fields<StepScalingConfig> kStepScaling{
    custom<StepScalingConfig>(
        "metric", [](const Node& v, StepScalingConfig& c) { c.metric = parse_policy_metric(v); }),
    duration("period", &StepScalingConfig::period, sim::seconds(1), sim::hours(1)),
    duration("cooldown", &StepScalingConfig::cooldown, SimTime::zero(), sim::hours(24)),
    custom<StepScalingConfig>("adjustment",
                              [](const Node& v, StepScalingConfig& c) {
                                c.percent = v.choice({"pods", "percent"}) == "percent";
                              }),
    integer("min_adjustment_magnitude", &StepScalingConfig::min_adjustment_magnitude, 1, 100000),
    custom<StepScalingConfig>(
        "scale_out",
        [](const Node& v, StepScalingConfig& c) { c.scale_out = parse_alarm(v, true); }),
    custom<StepScalingConfig>(
        "scale_in",
        [](const Node& v, StepScalingConfig& c) { c.scale_in = parse_alarm(v, false); }),
};

const Fields<KnativeConfig> kKnative{
    number("target_concurrency", &KnativeConfig::target_concurrency, 0.01, 1e6),
    number("target_utilization", &KnativeConfig::target_utilization, 0.01, 1),
    duration("stable_window", &KnativeConfig::stable_window, sim::seconds(6), sim::hours(1)),
    number("panic_window_percentage", &KnativeConfig::panic_window_percentage, 1, 100),
    number("panic_threshold", &KnativeConfig::panic_threshold, 1, 1000),
    duration("tick", &KnativeConfig::tick, sim::milliseconds(100), sim::minutes(1)),
    number("max_scale_up_rate", &KnativeConfig::max_scale_up_rate, 1.0001, 1e6),
    number("max_scale_down_rate", &KnativeConfig::max_scale_down_rate, 1.0001, 1e6),
};

const Fields<PredictiveConfig> kPredictive{
    custom<PredictiveConfig>("model",
                             [](const Node& v, PredictiveConfig& c) {
                               c.model = v.choice({"linear", "holt"});
                             }),
    duration("history", &PredictiveConfig::history, sim::minutes(1), sim::hours(24)),
    duration("period", &PredictiveConfig::period, sim::seconds(1), sim::hours(1)),
    number("target_utilization", &PredictiveConfig::target_utilization, 0.01, 1),
    duration("lead", &PredictiveConfig::lead, SimTime::zero(), sim::hours(24)),
    number("alpha", &PredictiveConfig::alpha, 0.001, 1),
    number("beta", &PredictiveConfig::beta, 0, 1),
    duration("scale_down_stabilization", &PredictiveConfig::scale_down_stabilization,
             SimTime::zero(), sim::hours(24)),
};

const Fields<hpa::ControllerConfig> kController{
    duration("sync_period", &hpa::ControllerConfig::sync_period, sim::seconds(1), sim::hours(1)),
    number("tolerance", &hpa::ControllerConfig::tolerance, 0, 1),
    duration("downscale_stabilization", &hpa::ControllerConfig::downscale_stabilization,
             SimTime::zero(), sim::hours(24)),
    duration("cpu_initialization_period", &hpa::ControllerConfig::cpu_initialization_period,
             SimTime::zero(), sim::hours(24)),
    duration("initial_readiness_delay", &hpa::ControllerConfig::initial_readiness_delay,
             SimTime::zero(), sim::hours(24)),
};

const Fields<MetricsPipelineConfig> kMetricsPipeline{
    duration("resolution", &MetricsPipelineConfig::resolution, sim::seconds(1), sim::hours(1)),
    duration("custom_interval", &MetricsPipelineConfig::custom_interval, sim::seconds(1),
             sim::hours(1)),
    duration("custom_window", &MetricsPipelineConfig::custom_window, sim::seconds(1),
             sim::hours(24)),
};

// hpa_file: the manifest, read with the overrides of `hpa_path` (the autoscaler's hpa.<key>,
// which reach the manifest's spec.<key>).
HpaPolicy parse_hpa(const Node& n, bool from_file, const std::string& hpa_path) {
  HpaPolicy p;
  if (!from_file) {
    p.spec = parse_hpa_spec(n);
    return p;
  }
  p.manifest_file = resolve_relative(n, n.text());
  const Overrides reach_in =
      n.overrides() != nullptr ? n.overrides()->rebased(hpa_path, "spec") : Overrides();
  try {
    p.spec = load_hpa_manifest(p.manifest_file, &reach_in);
  } catch (const ScenarioError& e) {
    if (e.location().line == 0)
      n.fail("cannot read HPA manifest '" + p.manifest_file + "': " + e.message());
    throw;
  }
  reach_in.mark_origins_used();
  return p;
}

TargetTrackingConfig parse_target_tracking(const Node& n) {
  MapReader t = n.map();
  TargetTrackingConfig c;
  c.target = t.required("target").number_in(1e-6, 1e9);
  kTargetTracking.read(t, &c);
  std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
  t.finish();
  return c;
}

StepScalingConfig parse_step_scaling(const Node& n) {
  MapReader t = n.map();
  StepScalingConfig c;
  kStepScaling.read(t, &c);
  if (!c.scale_out.enabled && !c.scale_in.enabled) n.fail("needs scale_out, scale_in or both");
  if (c.min_adjustment_magnitude > 0 && !c.percent)
    t.fail_key("min_adjustment_magnitude",
               "is for adjustment: percent (a change in pods is already whole pods)");
  std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
  t.finish();
  return c;
}

KnativeConfig parse_knative(const Node& n) {
  MapReader t = n.map();
  KnativeConfig c;
  kKnative.read(t, &c);
  std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
  t.finish();
  return c;
}

PredictiveConfig parse_predictive(const Node& n) {
  MapReader t = n.map();
  PredictiveConfig c;
  kPredictive.read(t, &c);
  std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
  t.finish();
  return c;
}

}  // namespace

void set_min_replicas(AutoscalerSpec* a, int32_t n) {
  std::visit(
      [n](auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, HpaPolicy>) {
          p.spec.min_replicas = n;
        } else if constexpr (!std::is_same_v<P, std::monostate> &&
                             !std::is_same_v<P, ScheduledPolicy>) {
          p.min_replicas = n;
        }
      },
      a->policy);
}

void parse_autoscaler(const Node& n, AutoscalerSpec* a) {
  MapReader m = n.map();
  static const std::vector<std::string> kKinds{
      "hpa", "hpa_file", "target_tracking", "step_scaling", "knative", "scheduled", "predictive"};
  // With hpa_file:, --set ...autoscaler.hpa.<key>=... reaches into the manifest's spec.
  const bool reach_in = m.in_file("hpa_file") && !m.in_file("hpa") && m.has("hpa");
  std::vector<std::string> given;
  for (const std::string& k : kKinds) {
    if (m.has(k) && !(reach_in && k == "hpa")) given.push_back(k);
  }
  if (given.size() != 1) {
    n.fail(given.empty()
               ? "give one autoscaler: hpa, hpa_file, target_tracking, step_scaling, knative, "
                 "scheduled or predictive"
               : "give exactly one autoscaler, not both " + given[0] + " and " + given[1]);
  }
  const std::string& kind = given[0];
  const Node policy = m.get(kind);
  if (kind == "hpa" || kind == "hpa_file") {
    a->policy = parse_hpa(policy, kind == "hpa_file", n.path() + ".hpa");
  } else if (kind == "target_tracking") {
    a->policy = parse_target_tracking(policy);
  } else if (kind == "step_scaling") {
    a->policy = parse_step_scaling(policy);
  } else if (kind == "knative") {
    a->policy = parse_knative(policy);
  } else if (kind == "scheduled") {
    a->policy = ScheduledPolicy{parse_schedule(policy)};
  } else {
    a->policy = parse_predictive(policy);
  }
  HpaPolicy* hpa = std::get_if<HpaPolicy>(&a->policy);
  if (const Node sch = m.get("schedule"); sch.present()) {
    if (hpa == nullptr)
      m.fail_key("schedule",
                 "schedule: sets an HPA's minReplicas over time; it needs hpa: or hpa_file:");
    hpa->min_schedule = parse_schedule(sch);
  }
  if (const Node c = m.get("controller"); c.present()) {
    if (hpa == nullptr)
      m.fail_key("controller", "controller: tunes the HPA controller; it needs hpa: or hpa_file:");
    MapReader cm = c.map();
    kController.read(cm, &hpa->controller);
    cm.finish();
  }
  if (const Node mp = m.get("metrics"); mp.present()) {
    MapReader pm = mp.map();
    kMetricsPipeline.read(pm, &a->metrics);
    pm.finish();
  }
  m.finish();
}

const char* autoscaler_kind_name(const AutoscalerSpec& a) {
  static const char* kNames[] = {"",        "hpa",       "target_tracking", "step_scaling",
                                 "knative", "scheduled", "predictive"};
  static_assert(std::variant_size_v<AutoscalerPolicy> == std::size(kNames));
  return kNames[a.policy.index()];
}

}  // namespace config
