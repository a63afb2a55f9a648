// models/autoscaling/hpa_spec.h: the Kubernetes HorizontalPodAutoscaler (autoscaling/v2) spec
// and the controller's flags, as plain structs, plus the API server's defaulting of `behavior`.
//
// Units follow the Kubernetes API: metric values in milli-units (1 core = 1000m; a custom
// metric of 20 = 20000m), utilizations in integer percent, windows and periods in seconds.
// Semantics: docs/hpa.md (cited as hpa.md §n).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace models::hpa {

enum class MetricSourceType { kResource, kPods, kObject, kExternal, kInvalid };
enum class TargetType { kUtilization, kAverageValue, kValue };

struct MetricSpec {
  MetricSourceType type = MetricSourceType::kResource;
  std::string name = "cpu";  // resource name (cpu, memory) or metric name
  TargetType target = TargetType::kUtilization;
  int32_t average_utilization = 80;  // percent, for kUtilization
  int64_t value_milli = 0;           // for kAverageValue and kValue
  std::string type_name;             // as written, for error messages (e.g. an unknown type)
};

struct ScalingPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPods;
  int32_t value = 1;
  int32_t period_s = 15;
};

enum class SelectPolicy { kMax, kMin, kDisabled };

// HPAScalingRules; unset fields are defaulted by effective_scale_up / effective_scale_down.
struct ScalingRules {
  std::optional<int32_t> stabilization_window_s;
  std::optional<SelectPolicy> select_policy;
  std::optional<std::vector<ScalingPolicy>> policies;
  std::optional<double> tolerance;  // HPAConfigurableTolerance (v1.33 alpha)
};

struct Behavior {
  std::optional<ScalingRules> scale_up;
  std::optional<ScalingRules> scale_down;
};

struct HpaSpec {
  int32_t min_replicas = 1;
  int32_t max_replicas = 10;
  std::vector<MetricSpec> metrics;   // empty: the API default, CPU Utilization 80%
  std::optional<Behavior> behavior;  // nil: the legacy normalisation path (hpa.md §5)
};

// kube-controller-manager flags (hpa.md §1, §8). Production defaults.
struct ControllerConfig {
  sim::SimTime sync_period = sim::seconds(15);
  double tolerance = 0.1;
  sim::SimTime downscale_stabilization = sim::minutes(5);
  sim::SimTime cpu_initialization_period = sim::minutes(5);
  sim::SimTime initial_readiness_delay = sim::seconds(30);
  double scale_up_limit_factor = 2.0;   // legacy path only
  double scale_up_limit_minimum = 4.0;  // legacy path only
};

// Rules with every field set (what the controller uses).
struct EffectiveRules {
  int32_t stabilization_window_s = 0;
  SelectPolicy select_policy = SelectPolicy::kMax;
  std::vector<ScalingPolicy> policies;
  std::optional<double> tolerance;
};

// API defaulting (pkg/apis/autoscaling/v2/defaults.go): scaleUp window 0, policies
// {Pods 4 / 15 s, Percent 100 / 15 s}, Max; scaleDown policies {Percent 100 / 15 s}, Max, and
// the window left unset at the API level (nullopt here).
ScalingRules api_default_scale_up(const std::optional<ScalingRules>& given);
ScalingRules api_default_scale_down(const std::optional<ScalingRules>& given);
// What the controller then uses: the unset scale-down window becomes the controller's
// downscale stabilization flag (maybeInitScaleDownStabilizationWindow).
EffectiveRules effective_scale_up(const std::optional<ScalingRules>& given);
EffectiveRules effective_scale_down(const std::optional<ScalingRules>& given,
                                    const ControllerConfig& cfg);

const char* select_policy_name(SelectPolicy p);
const char* metric_type_name(MetricSourceType t);

}  // namespace models::hpa
