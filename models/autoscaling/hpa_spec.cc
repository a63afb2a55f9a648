#include "models/autoscaling/hpa_spec.h"

namespace models::hpa {

ScalingRules api_default_scale_up(const std::optional<ScalingRules>& given) {
  ScalingRules r = given.value_or(ScalingRules{});
  if (!r.stabilization_window_s) r.stabilization_window_s = 0;
  if (!r.select_policy) r.select_policy = SelectPolicy::kMax;
  if (!r.policies) {
    r.policies = std::vector<ScalingPolicy>{{ScalingPolicy::Type::kPods, 4, 15},
                                            {ScalingPolicy::Type::kPercent, 100, 15}};
  }
  return r;
}

ScalingRules api_default_scale_down(const std::optional<ScalingRules>& given) {
  ScalingRules r = given.value_or(ScalingRules{});
  if (!r.select_policy) r.select_policy = SelectPolicy::kMax;
  if (!r.policies)
    r.policies = std::vector<ScalingPolicy>{{ScalingPolicy::Type::kPercent, 100, 15}};
  return r;  // the window stays unset at the API level
}

namespace {
EffectiveRules complete(const ScalingRules& r, int32_t default_window) {
  EffectiveRules e;
  e.stabilization_window_s = r.stabilization_window_s.value_or(default_window);
  e.select_policy = r.select_policy.value_or(SelectPolicy::kMax);
  e.policies = r.policies.value_or(std::vector<ScalingPolicy>{});
  e.tolerance = r.tolerance;
  return e;
}
}  // namespace

EffectiveRules effective_scale_up(const std::optional<ScalingRules>& given) {
  return complete(api_default_scale_up(given), 0);
}

EffectiveRules effective_scale_down(const std::optional<ScalingRules>& given,
                                    const ControllerConfig& cfg) {
  return complete(api_default_scale_down(given),
                  static_cast<int32_t>(cfg.downscale_stabilization.ns() / 1'000'000'000));
}

const char* select_policy_name(SelectPolicy p) {
  switch (p) {
    case SelectPolicy::kMax:
      return "Max";
    case SelectPolicy::kMin:
      return "Min";
    case SelectPolicy::kDisabled:
      return "Disabled";
  }
  return "?";
}

const char* metric_type_name(MetricSourceType t) {
  switch (t) {
    case MetricSourceType::kResource:
      return "Resource";
    case MetricSourceType::kPods:
      return "Pods";
    case MetricSourceType::kObject:
      return "Object";
    case MetricSourceType::kExternal:
      return "External";
    case MetricSourceType::kInvalid:
      return "Invalid";
  }
  return "?";
}

}  // namespace models::hpa
