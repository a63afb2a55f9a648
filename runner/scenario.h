// runner/scenario.h: a scenario as plain config structs, what the loader produces from YAML and
// the World builds models from. Defaults live in the models' *Config structs; docs/scenarios.md
// documents every key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/autoscaling/hpa_spec.h"
#include "models/autoscaling/knative_autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/autoscaling/predictive_scaler.h"
#include "models/autoscaling/scheduled_scaler.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"
#include "models/common/distribution.h"
#include "models/common/profile.h"
#include "models/metrics/metrics_collector.h"
#include "models/site/node_autoscaler.h"
#include "models/site/site.h"
#include "models/traffic/open_source.h"
#include "sim/time.h"

namespace runner {

// SLO gates checked after the run (exit code 1 when one fails). Unset = not checked.
struct Expectations {
  std::optional<double> apdex_min;
  std::optional<double> error_rate_max;
  std::optional<double> rt_p95_max_s;
  std::optional<double> rt_p99_max_s;
  bool empty() const { return !apdex_min && !error_rate_max && !rt_p95_max_s && !rt_p99_max_s; }
};

struct SiteExpectations {
  std::string site;
  Expectations expect;
};

struct NarrationLine {
  sim::SimTime at;
  std::string text;
};

// The pod autoscaler of a site.
struct AutoscalerSpec {
  // "" (none), hpa, target_tracking, step_scaling, knative, scheduled or predictive.
  std::string kind;
  models::hpa::HpaSpec hpa;
  models::hpa::ControllerConfig controller;
  std::string hpa_file;  // the manifest the HPA spec came from, if any
  models::TargetTrackingConfig target_tracking;
  models::StepScalingConfig step_scaling;
  models::KnativeConfig knative;
  models::PredictiveConfig predictive;
  // kind "scheduled": the replica count over time; with kind "hpa": its minReplicas over time.
  std::vector<models::ScheduleEntry> schedule;
  models::MetricsPipelineConfig metrics;
};

struct SiteSpec {
  models::SiteConfig site;
  std::optional<models::NodeAutoscalerConfig> node_autoscaler;
  AutoscalerSpec autoscaler;
};

// Actions at scenario times.
struct ScenarioEvent {
  enum class Kind { kRollout };
  sim::SimTime at;
  Kind kind = Kind::kRollout;
  int site = 0;
  models::ImageSpec image;
  models::RolloutStrategy strategy;
};

struct GslbSpec {
  std::string policy = "weighted";
  std::vector<double> weights;  // one per site, in site order
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source_file;             // the YAML file ("" when loaded from text)
  std::string source_text;             // the YAML text as read
  std::vector<std::string> overrides;  // the --set arguments applied

  sim::SimTime duration;
  uint64_t seed = 1;
  models::MetricsConfig metrics;

  std::string traffic_kind = "open";
  models::OpenTrafficConfig open;

  GslbSpec gslb;
  std::vector<SiteSpec> sites;
  std::vector<ScenarioEvent> events;

  Expectations expect;
  std::vector<SiteExpectations> site_expect;
  std::vector<NarrationLine> narration;

  int site_index(const std::string& name) const;
};

}  // namespace runner
