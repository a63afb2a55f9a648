// models/autoscaling/hpa_controller.h: one HorizontalPodAutoscaler's reconcile loop
// (horizontal.go): metric proposals, the max over metrics with the partial-failure rule, the
// min/max bypass, then either the legacy normalisation (behavior nil: scale-up cap and 300 s
// downscale stabilization) or the behavior path (stabilization windows, Pods/Percent policies
// over periods, scale-event history). State (recommendations, scale events) lives here, in
// memory, as in the real controller. hpa.md §2 to §7 give every rule and boundary.
//
// The normalisation steps are free functions so tests and `hcsim hpa-check` can call each one.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/autoscaling/hpa_calculator.h"
#include "models/autoscaling/hpa_spec.h"

namespace models::hpa {

struct Recommendation {
  int32_t replicas = 0;
  sim::SimTime timestamp;
};

struct ScaleEvent {
  int32_t change = 0;  // absolute size of the change
  sim::SimTime timestamp;
  bool outdated = false;
};

struct Limited {
  int32_t replicas = 0;
  std::string reason;  // ScalingLimited condition reason
};

// Legacy path: max of desired and the recommendations not older than `window` (age <= window);
// records desired (overwriting the last record older than the window, else appending).
int32_t stabilize_recommendation(std::vector<Recommendation>* recs, int32_t desired,
                                 sim::SimTime now, sim::SimTime window);
// convertDesiredReplicasWithRules: clamps to [min, min(max, max(factor * current, minimum))].
Limited convert_with_rules(int32_t current, int32_t desired, int32_t min_replicas,
                           int32_t max_replicas, double factor, double minimum);

struct Stabilized {
  int32_t replicas = 0;
  std::string reason;  // ScaleUpStabilized / ScaleDownStabilized (used when it differs)
};
// Behavior path: keeps current unless desired and the recent recommendations (age < window)
// all lie on one side; records desired, reusing a slot older than both windows.
Stabilized stabilize_with_behaviors(std::vector<Recommendation>* recs, int32_t current,
                                    int32_t desired, sim::SimTime now, int32_t up_window_s,
                                    int32_t down_window_s);
// Sum of changes with age < period.
int32_t replicas_change_per_period(int32_t period_s, const std::vector<ScaleEvent>& events,
                                   sim::SimTime now);
int32_t scale_up_limit(int32_t current, const std::vector<ScaleEvent>& up,
                       const std::vector<ScaleEvent>& down, const EffectiveRules& rules,
                       sim::SimTime now);
int32_t scale_down_limit(int32_t current, const std::vector<ScaleEvent>& up,
                         const std::vector<ScaleEvent>& down, const EffectiveRules& rules,
                         sim::SimTime now);
Limited convert_with_behavior_rate(int32_t current, int32_t desired, int32_t min_replicas,
                                   int32_t max_replicas, const std::vector<ScaleEvent>& up,
                                   const std::vector<ScaleEvent>& down,
                                   const EffectiveRules& up_rules, const EffectiveRules& down_rules,
                                   sim::SimTime now);
// storeScaleEvent for one direction: marks events older than the longest policy period as
// outdated, then overwrites the last outdated slot or appends.
void store_scale_event(std::vector<ScaleEvent>* events, const EffectiveRules& rules, int32_t change,
                       sim::SimTime now);

// What the metrics APIs return for one metric of the spec, at one reconcile.
struct MetricObservation {
  bool fetch_error = false;
  std::string fetch_error_message;
  PodMetrics pod_metrics;  // Resource and Pods metrics
  // Instead of pod_metrics: a map kept by someone else (the metrics pipeline's), read in place
  // for the length of one reconcile (a copy is a map node per pod per sync).
  const PodMetrics* pod_metrics_source = nullptr;
  const PodMetrics& samples() const {
    return pod_metrics_source != nullptr ? *pod_metrics_source : pod_metrics;
  }
  int64_t object_value_milli = 0;              // Object
  std::vector<int64_t> external_values_milli;  // External (summed)
};

struct Observation {
  sim::SimTime now;
  int32_t spec_replicas = 0;               // the target's scale.spec.replicas
  int32_t status_replicas = 0;             // scale.status.replicas (pods that exist)
  std::vector<PodStatus> pods;             // the pods the target's selector matches
  std::vector<MetricObservation> metrics;  // one per spec metric, in order
};

struct MetricResult {
  bool valid = false;
  int32_t proposal = 0;
  std::string description;   // e.g. "cpu resource utilization (percentage of request)"
  std::string error_reason;  // ScalingActive reason when invalid, e.g. FailedGetResourceMetric
  std::string error;
  std::optional<int32_t> utilization;  // percent, Resource Utilization targets
  int64_t current_milli = 0;           // the value reported in status
  ProposalTrace trace;                 // how the proposal was reached (valid only)
};

struct Decision {
  sim::SimTime at;
  int32_t current = 0;
  int32_t desired = 0;
  bool rescale = false;
  std::string reason;            // the controller's rescale reason text
  int32_t metric_proposal = -1;  // max over valid metrics; -1 when none was computed
  int32_t stabilized = -1;       // after the stabilization window; -1 when not reached
  std::string able_to_scale;     // AbleToScale reason at the end of the reconcile
  std::string scaling_active;    // ScalingActive reason (empty when not set this time)
  std::string scaling_limited;   // ScalingLimited reason (empty when not set this time)
  bool metrics_failed = false;   // no scaling: every metric, or a needed one, was invalid
  std::vector<MetricResult> metrics;
  // The rest of the chain, for explanations (hcsim explain).
  Tolerances tolerance;
  // Stabilization: the recommendations kept before this reconcile and the windows they were
  // judged by (legacy path: the downscale stabilization as the scale-down window, up 0).
  std::vector<Recommendation> recommendations_seen;
  int32_t up_window_s = 0, down_window_s = 0;
  bool behavior = false;  // spec.behavior set (else the legacy normalisation)
  // The rate limits that applied to the stabilized value: the most replicas a scale-up may reach
  // and the fewest a scale-down may leave (-1 when not computed), and the spec's bounds.
  int32_t up_limit = -1, down_limit = -1;
  int32_t min_replicas = 0, max_replicas = 0;
};

class HpaController {
 public:
  HpaController(HpaSpec spec, ControllerConfig cfg);

  // One reconcile (hpa.md §2). Updates the in-memory history.
  Decision reconcile(const Observation& obs);

  const HpaSpec& spec() const { return spec_; }
  // A scheduled action changing minReplicas (kept within [0, maxReplicas]).
  void set_min_replicas(int32_t n) {
    spec_.min_replicas = std::min(std::max(n, 0), spec_.max_replicas);
  }
  const ControllerConfig& config() const { return cfg_; }
  // What a controller restart loses: the recommendations and scale events kept in memory.
  void forget_history() {
    recommendations.reset();
    scale_up_events.clear();
    scale_down_events.clear();
  }
  // History, exposed for tests and hpa-check. nullopt recommendations = the controller has no
  // entry for this HPA yet (first reconcile records the current size).
  std::optional<std::vector<Recommendation>> recommendations;
  std::vector<ScaleEvent> scale_up_events, scale_down_events;

 private:
  MetricResult compute_metric(const MetricSpec& m, const MetricObservation& o,
                              const Observation& obs, const Tolerances& tol) const;
  // The tolerance flag, overridden per direction by spec.behavior (hpa.md §3.1).
  Tolerances tolerances() const;
  // computeReplicasForMetrics (hpa.md §4): fills d's metrics and proposal; false when the HPA
  // must not scale (every metric failed, or some failed and the rest would scale down).
  bool propose(const Observation& obs, Decision* d) const;
  // Stabilization and rate limits, legacy (hpa.md §5) or spec.behavior (§6): the replicas.
  int32_t normalize(int32_t current, int32_t desired, sim::SimTime now, Decision* d);
  // Remembers a rescale for the behavior's rate limits (hpa.md §6.4).
  void store_event(int32_t current, int32_t desired, sim::SimTime now);
  HpaSpec spec_;
  ControllerConfig cfg_;
};

}  // namespace models::hpa
