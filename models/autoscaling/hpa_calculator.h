// models/autoscaling/hpa_calculator.h: the HPA's replica calculator (replica_calculator.go and
// metrics/utilization.go), as pure functions of what the controller observes.
//
// Pods are grouped into ready / unready / missing / ignored (hpa.md §3.2); a proposal is computed
// per metric kind (hpa.md §3.3 to §3.5) with the integer-percent utilization, the tolerance band,
// and the second pass that fills in missing and unready pods. The simulation and `hcsim
// hpa-check` both call these functions: there is one implementation.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/time.h"

namespace models::hpa {

// Go's zero time.Time: far in the past (an unset timestamp).
inline constexpr sim::SimTime kZeroTime =
    sim::SimTime::from_ns(std::numeric_limits<int64_t>::min() / 4);

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed };
enum class ReadyCondition { kNone, kTrue, kFalse };

struct PodStatus {
  std::string name;
  PodPhase phase = PodPhase::kRunning;
  ReadyCondition ready = ReadyCondition::kTrue;
  bool has_start_time = true;
  sim::SimTime start_time = kZeroTime;
  sim::SimTime ready_transition = kZeroTime;  // Ready condition's lastTransitionTime
  bool deleting = false;                      // deletionTimestamp set
  std::optional<int64_t> cpu_request_milli;   // none = the pod's containers do not all set it
  std::optional<int64_t> memory_request_milli;
};

enum class Resource { kCpu, kMemory };

struct MetricSample {
  int64_t value_milli = 0;
  sim::SimTime timestamp = kZeroTime;
  sim::SimTime window = sim::seconds(60);
};
// Samples by pod name, as the metrics API returns them (may include pods the HPA does not know).
using PodMetrics = std::map<std::string, MetricSample>;

struct Tolerances {
  double scale_down = 0.1;
  double scale_up = 0.1;
  // (1 - scale_down) <= ratio <= (1 + scale_up), both ends inclusive (Tolerances.isWithin).
  bool within(double ratio) const {
    return (1.0 - scale_down) <= ratio && ratio <= (1.0 + scale_up);
  }
};

struct GroupConfig {
  sim::SimTime cpu_initialization_period = sim::minutes(5);
  sim::SimTime initial_readiness_delay = sim::seconds(30);
};

struct PodGroups {
  int ready_count = 0;
  std::set<std::string> unready, missing, ignored;
};

// Why groupPods put a pod where it did (hcsim explain): the group ("ready", "unready",
// "missing", "ignored") and the rule, in words.
struct PodNote {
  std::string pod;
  const char* group = "ready";
  std::string why;
};

// groupPods. `cpu`: the metric is the cpu resource (readiness rules apply only then). `notes`,
// when given, receives one entry per pod in `pods` order.
PodGroups group_pods(const std::vector<PodStatus>& pods, const PodMetrics& metrics, bool cpu,
                     sim::SimTime now, const GroupConfig& cfg,
                     std::vector<PodNote>* notes = nullptr);

// How a calculator reached its proposal, for explanations: the usage ratio, the second pass's
// ratio when missing or unready pods were filled in, the pods each pass counted, and the rule
// that decided (a static string).
struct ProposalTrace {
  double ratio = 0;
  double new_ratio = std::numeric_limits<double>::quiet_NaN();  // NaN: no second pass
  int ready_count = 0;                                          // pods behind `ratio`
  int counted = 0;  // pods behind `new_ratio` (missing and unready filled in)
  const char* rule = "";
};

// A proposal or the error that made the metric invalid.
template <class T>
struct Outcome {
  std::optional<T> value;
  std::string error;
  static Outcome fail(std::string e) { return {std::nullopt, std::move(e)}; }
  static Outcome ok(T v) { return {std::move(v), {}}; }
};

struct UtilizationResult {
  int32_t replicas = 0;
  int32_t utilization = 0;  // integer percent of request, ready pods only (status)
  int64_t raw_average = 0;  // average milli-value (status AverageValue)
  ProposalTrace trace;
};

// Resource metric with a Utilization target (GetResourceReplicas).
Outcome<UtilizationResult> resource_utilization_replicas(
    int32_t current, int32_t target_utilization, Resource resource,
    const std::vector<PodStatus>& pods, PodMetrics metrics, sim::SimTime now, const Tolerances& tol,
    const GroupConfig& gc);

struct UsageResult {
  int32_t replicas = 0;
  int64_t usage = 0;  // the current value reported in status (milli)
  ProposalTrace trace;
};

// Resource AverageValue and Pods metrics (calcPlainMetricReplicas). `cpu_rules` applies the
// readiness rules (Resource cpu only).
Outcome<UsageResult> plain_metric_replicas(int32_t current, int64_t target_milli, bool cpu_rules,
                                           const std::vector<PodStatus>& pods, PodMetrics metrics,
                                           sim::SimTime now, const Tolerances& tol,
                                           const GroupConfig& gc);

// Object and External metrics with a Value target (getUsageRatioReplicaCount); `usage` is the
// object's value or the sum of the external series.
Outcome<UsageResult> value_replicas(int32_t spec_replicas, int64_t usage_milli,
                                    int64_t target_milli, const std::vector<PodStatus>& pods,
                                    const Tolerances& tol);

// Object and External metrics with an AverageValue target (Get*PerPodMetricReplicas).
UsageResult average_value_replicas(int32_t status_replicas, int64_t usage_milli,
                                   int64_t target_average_milli, const Tolerances& tol);

}  // namespace models::hpa
