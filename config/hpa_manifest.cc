#include "config/hpa_manifest.h"

#include "config/loader.h"
#include "models/autoscaling/metrics_pipeline.h"

namespace config {

namespace hpa = models::hpa;

namespace {

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

}  // namespace

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

hpa::HpaSpec load_hpa_manifest(const std::string& path) {
  const Node root = load_yaml_text(read_text_file(path), path, nullptr);
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

}  // namespace config
