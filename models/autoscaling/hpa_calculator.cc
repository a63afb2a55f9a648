#include "models/autoscaling/hpa_calculator.h"

#include <cmath>

namespace models::hpa {

namespace {

int32_t ceil_to_int32(double x) {
  const double c = std::ceil(x);
  if (c >= static_cast<double>(std::numeric_limits<int32_t>::max())) {
    return std::numeric_limits<int32_t>::max();
  }
  return static_cast<int32_t>(c);
}

void remove_metrics_for(PodMetrics* metrics, const std::set<std::string>& pods) {
  for (const std::string& p : pods) metrics->erase(p);
}

// GetResourceUtilizationRatio: integer percent of the summed requests of pods with a request.
bool utilization_ratio(const PodMetrics& metrics, const std::map<std::string, int64_t>& requests,
                       int32_t target, double* ratio, int32_t* utilization, int64_t* raw_average) {
  int64_t metrics_total = 0, requests_total = 0, entries = 0;
  for (const auto& [name, m] : metrics) {
    const auto it = requests.find(name);
    if (it == requests.end()) continue;  // an extraneous metric (a pod we do not know)
    metrics_total += m.value_milli;
    requests_total += it->second;
    ++entries;
  }
  if (requests_total == 0) return false;
  *utilization = static_cast<int32_t>((metrics_total * 100) / requests_total);
  *ratio = static_cast<double>(*utilization) / static_cast<double>(target);
  *raw_average = metrics_total / entries;
  return true;
}

// GetMetricUsageRatio: the integer average of every sample.
void usage_ratio(const PodMetrics& metrics, int64_t target, double* ratio, int64_t* usage) {
  int64_t total = 0;
  for (const auto& [name, m] : metrics) total += m.value_milli;
  *usage = total / static_cast<int64_t>(metrics.size());
  *ratio = static_cast<double>(*usage) / static_cast<double>(target);
}

}  // namespace

PodGroups group_pods(const std::vector<PodStatus>& pods, const PodMetrics& metrics, bool cpu,
                     sim::SimTime now, const GroupConfig& cfg) {
  PodGroups g;
  for (const PodStatus& pod : pods) {
    if (pod.deleting || pod.phase == PodPhase::kFailed || pod.phase == PodPhase::kSucceeded) {
      g.ignored.insert(pod.name);  // IsPodTerminal: Succeeded is ignored too in current code
      continue;
    }
    if (pod.phase == PodPhase::kPending) {
      g.unready.insert(pod.name);
      continue;
    }
    const auto m = metrics.find(pod.name);
    if (m == metrics.end()) {
      g.missing.insert(pod.name);
      continue;
    }
    if (cpu) {
      bool unready;
      if (pod.ready == ReadyCondition::kNone || !pod.has_start_time) {
        unready = true;
      } else if (pod.start_time + cfg.cpu_initialization_period > now) {
        // Inside the initialisation period: unready if not ready, or if the sample does not
        // cover a full window since the pod became ready.
        unready = pod.ready == ReadyCondition::kFalse ||
                  m->second.timestamp < pod.ready_transition + m->second.window;
      } else {
        // After it: unready only if it is not ready and never was.
        unready = pod.ready == ReadyCondition::kFalse &&
                  pod.start_time + cfg.initial_readiness_delay > pod.ready_transition;
      }
      if (unready) {
        g.unready.insert(pod.name);
        continue;
      }
    }
    ++g.ready_count;
  }
  return g;
}

Outcome<UtilizationResult> resource_utilization_replicas(
    int32_t current, int32_t target, Resource resource, const std::vector<PodStatus>& pods,
    PodMetrics metrics, sim::SimTime now, const Tolerances& tol, const GroupConfig& gc) {
  using Out = Outcome<UtilizationResult>;
  if (pods.empty())
    return Out::fail("no pods returned by selector while calculating replica count");
  const bool cpu = resource == Resource::kCpu;
  const PodGroups g = group_pods(pods, metrics, cpu, now, gc);
  remove_metrics_for(&metrics, g.ignored);
  remove_metrics_for(&metrics, g.unready);
  if (metrics.empty())
    return Out::fail("did not receive metrics for targeted pods (pods might be unready)");

  std::map<std::string, int64_t> requests;
  for (const PodStatus& p : pods) {
    const std::optional<int64_t>& req = cpu ? p.cpu_request_milli : p.memory_request_milli;
    if (!req) return Out::fail(std::string("missing request for ") + (cpu ? "cpu" : "memory"));
    requests[p.name] = *req;
  }
  double ratio;
  UtilizationResult r;
  if (!utilization_ratio(metrics, requests, target, &ratio, &r.utilization, &r.raw_average)) {
    return Out::fail("no metrics returned matched known pods");
  }

  const bool scale_up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && g.missing.empty()) {
    r.replicas = tol.within(ratio) ? current : ceil_to_int32(ratio * g.ready_count);
    return Out::ok(r);
  }
  if (!g.missing.empty()) {
    if (ratio < 1.0) {
      // Scale-down: missing pods are assumed at 100% of their request (or the target when it
      // is above 100%), which holds the scale-down back (kubernetes PR #112178).
      const int64_t fallback = std::max<int64_t>(100, target);
      for (const std::string& p : g.missing) metrics[p] = {requests[p] * fallback / 100, now, {}};
    } else if (ratio > 1.0) {
      for (const std::string& p : g.missing) metrics[p] = {0, now, {}};
    }
  }
  if (scale_up_with_unready) {
    for (const std::string& p : g.unready) metrics[p] = {0, now, {}};
  }
  double new_ratio;
  int32_t unused_util;
  int64_t unused_raw;
  if (!utilization_ratio(metrics, requests, target, &new_ratio, &unused_util, &unused_raw)) {
    return Out::fail("no metrics returned matched known pods");
  }
  if (tol.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) ||
      (ratio > 1.0 && new_ratio < 1.0)) {
    r.replicas = current;  // too small a change, or the fill-in flipped the direction
    return Out::ok(r);
  }
  const int32_t new_replicas = ceil_to_int32(new_ratio * static_cast<double>(metrics.size()));
  if ((new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current)) {
    r.replicas = current;  // the pod count alone would reverse the direction
    return Out::ok(r);
  }
  r.replicas = new_replicas;
  return Out::ok(r);
}

Outcome<UsageResult> plain_metric_replicas(int32_t current, int64_t target, bool cpu_rules,
                                           const std::vector<PodStatus>& pods, PodMetrics metrics,
                                           sim::SimTime now, const Tolerances& tol,
                                           const GroupConfig& gc) {
  using Out = Outcome<UsageResult>;
  if (pods.empty())
    return Out::fail("no pods returned by selector while calculating replica count");
  const PodGroups g = group_pods(pods, metrics, cpu_rules, now, gc);
  remove_metrics_for(&metrics, g.ignored);
  remove_metrics_for(&metrics, g.unready);
  if (metrics.empty())
    return Out::fail("did not receive metrics for targeted pods (pods might be unready)");

  double ratio;
  UsageResult r;
  usage_ratio(metrics, target, &ratio, &r.usage);
  const bool scale_up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && g.missing.empty()) {
    r.replicas = tol.within(ratio) ? current : ceil_to_int32(ratio * g.ready_count);
    return Out::ok(r);
  }
  if (!g.missing.empty()) {
    if (ratio < 1.0) {
      for (const std::string& p : g.missing) metrics[p] = {target, now, {}};  // exactly at target
    } else if (ratio > 1.0) {
      for (const std::string& p : g.missing) metrics[p] = {0, now, {}};
    }
  }
  if (scale_up_with_unready) {
    for (const std::string& p : g.unready) metrics[p] = {0, now, {}};
  }
  double new_ratio;
  int64_t unused;
  usage_ratio(metrics, target, &new_ratio, &unused);
  if (tol.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) ||
      (ratio > 1.0 && new_ratio < 1.0)) {
    r.replicas = current;
    return Out::ok(r);
  }
  const int32_t new_replicas = ceil_to_int32(new_ratio * static_cast<double>(metrics.size()));
  if ((new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current)) {
    r.replicas = current;
    return Out::ok(r);
  }
  r.replicas = new_replicas;
  return Out::ok(r);
}

Outcome<UsageResult> value_replicas(int32_t spec_replicas, int64_t usage, int64_t target,
                                    const std::vector<PodStatus>& pods, const Tolerances& tol) {
  using Out = Outcome<UsageResult>;
  const double ratio = static_cast<double>(usage) / static_cast<double>(target);
  UsageResult r;
  r.usage = usage;
  if (spec_replicas == 0) {
    r.replicas = ceil_to_int32(ratio);  // scale from zero: no tolerance, no ready pods
    return Out::ok(r);
  }
  if (tol.within(ratio)) {
    r.replicas = spec_replicas;
    return Out::ok(r);
  }
  if (pods.empty())
    return Out::fail("no pods returned by selector while calculating replica count");
  int64_t ready = 0;
  for (const PodStatus& p : pods) {
    if (p.phase == PodPhase::kRunning && p.ready == ReadyCondition::kTrue) ++ready;
  }
  r.replicas = ceil_to_int32(ratio * static_cast<double>(ready));
  return Out::ok(r);
}

UsageResult average_value_replicas(int32_t status_replicas, int64_t usage, int64_t target_average,
                                   const Tolerances& tol) {
  UsageResult r;
  r.replicas = status_replicas;
  const double ratio = static_cast<double>(usage) /
                       (static_cast<double>(target_average) * static_cast<double>(status_replicas));
  if (!tol.within(ratio)) {
    r.replicas = ceil_to_int32(static_cast<double>(usage) / static_cast<double>(target_average));
  }
  r.usage = status_replicas > 0
                ? static_cast<int64_t>(
                      std::ceil(static_cast<double>(usage) / static_cast<double>(status_replicas)))
                : usage;
  return r;
}

}  // namespace models::hpa
