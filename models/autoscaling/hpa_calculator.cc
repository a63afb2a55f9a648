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

// The first pass: the ready pods' ratio against the tolerance band.
int32_t first_pass(int32_t current, double ratio, int ready_count, const Tolerances& tol,
                   ProposalTrace* t) {
  t->ratio = ratio;
  t->ready_count = ready_count;
  if (tol.within(ratio)) {
    t->rule = "ratio within the tolerance: keep the current replicas";
    return current;
  }
  t->rule = "ceil(ratio x ready pods)";
  return ceil_to_int32(ratio * ready_count);
}

// The second pass, once missing and unready pods are filled in: `counted` pods at `new_ratio`.
int32_t second_pass(int32_t current, double ratio, double new_ratio, std::size_t counted,
                    const Tolerances& tol, ProposalTrace* t) {
  t->new_ratio = new_ratio;
  t->counted = static_cast<int>(counted);
  if (tol.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) ||
      (ratio > 1.0 && new_ratio < 1.0)) {
    // Too small a change, or the fill-in flipped the direction.
    t->rule = tol.within(new_ratio)
                  ? "filled-in ratio within the tolerance: keep the current replicas"
                  : "filling in pods reverses the direction: keep the current replicas";
    return current;
  }
  const int32_t new_replicas = ceil_to_int32(new_ratio * static_cast<double>(counted));
  if ((new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current)) {
    t->rule = "the pod count alone would reverse the direction: keep the current replicas";
    return current;
  }
  t->rule = "ceil(filled-in ratio x pods counted)";
  return new_replicas;
}

}  // namespace

PodGroups group_pods(const std::vector<PodStatus>& pods, const PodMetrics& metrics, bool cpu,
                     sim::SimTime now, const GroupConfig& cfg, std::vector<PodNote>* notes) {
  PodGroups g;
  auto note = [&](const PodStatus& pod, const char* group, std::string why) {
    if (notes != nullptr) notes->push_back({pod.name, group, std::move(why)});
  };
  for (const PodStatus& pod : pods) {
    if (pod.deleting || pod.phase == PodPhase::kFailed || pod.phase == PodPhase::kSucceeded) {
      g.ignored.insert(pod.name);  // IsPodTerminal: Succeeded is ignored too in current code
      note(pod, "ignored", pod.deleting ? "being deleted" : "terminal phase");
      continue;
    }
    if (pod.phase == PodPhase::kPending) {
      g.unready.insert(pod.name);
      note(pod, "unready", "Pending: not running yet");
      continue;
    }
    const auto m = metrics.find(pod.name);
    if (m == metrics.end()) {
      g.missing.insert(pod.name);
      note(pod, "missing", "running, but no metric sample for it yet");
      continue;
    }
    if (cpu) {
      bool unready;
      const char* why = "";
      if (pod.ready == ReadyCondition::kNone || !pod.has_start_time) {
        unready = true;
        why = "no Ready condition or start time";
      } else if (pod.start_time + cfg.cpu_initialization_period > now) {
        // Inside the initialisation period: unready if not ready, or if the sample does not
        // cover a full window since the pod became ready.
        unready = pod.ready == ReadyCondition::kFalse ||
                  m->second.timestamp < pod.ready_transition + m->second.window;
        why = pod.ready == ReadyCondition::kFalse
                  ? "not Ready, inside the CPU initialization period"
                  : "inside the CPU initialization period and its sample does not cover a full "
                    "window since it became Ready";
      } else {
        // After it: unready only if it is not ready and never was.
        unready = pod.ready == ReadyCondition::kFalse &&
                  pod.start_time + cfg.initial_readiness_delay > pod.ready_transition;
        why =
            "not Ready, and its last Ready change came within the initial readiness delay of its "
            "start (never Ready)";
      }
      if (unready) {
        g.unready.insert(pod.name);
        note(pod, "unready", why);
        continue;
      }
    }
    ++g.ready_count;
    note(pod, "ready",
         cpu && pod.ready == ReadyCondition::kFalse
             ? "counted: not Ready now, but was Ready after starting"
             : "counted");
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
    r.replicas = first_pass(current, ratio, g.ready_count, tol, &r.trace);
    return Out::ok(r);
  }
  r.trace.ratio = ratio;
  r.trace.ready_count = g.ready_count;
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
  r.replicas = second_pass(current, ratio, new_ratio, metrics.size(), tol, &r.trace);
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
    r.replicas = first_pass(current, ratio, g.ready_count, tol, &r.trace);
    return Out::ok(r);
  }
  r.trace.ratio = ratio;
  r.trace.ready_count = g.ready_count;
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
  r.replicas = second_pass(current, ratio, new_ratio, metrics.size(), tol, &r.trace);
  return Out::ok(r);
}

Outcome<UsageResult> value_replicas(int32_t spec_replicas, int64_t usage, int64_t target,
                                    const std::vector<PodStatus>& pods, const Tolerances& tol) {
  using Out = Outcome<UsageResult>;
  const double ratio = static_cast<double>(usage) / static_cast<double>(target);
  UsageResult r;
  r.usage = usage;
  r.trace.ratio = ratio;
  if (spec_replicas == 0) {
    r.replicas = ceil_to_int32(ratio);  // scale from zero: no tolerance, no ready pods
    r.trace.rule = "scale from zero: ceil(ratio)";
    return Out::ok(r);
  }
  if (tol.within(ratio)) {
    r.replicas = spec_replicas;
    r.trace.rule = "ratio within the tolerance: keep the current replicas";
    return Out::ok(r);
  }
  if (pods.empty())
    return Out::fail("no pods returned by selector while calculating replica count");
  int64_t ready = 0;
  for (const PodStatus& p : pods) {
    if (p.phase == PodPhase::kRunning && p.ready == ReadyCondition::kTrue) ++ready;
  }
  r.replicas = ceil_to_int32(ratio * static_cast<double>(ready));
  r.trace.ready_count = static_cast<int>(ready);
  r.trace.rule = "ceil(ratio x ready pods)";
  return Out::ok(r);
}

UsageResult average_value_replicas(int32_t status_replicas, int64_t usage, int64_t target_average,
                                   const Tolerances& tol) {
  UsageResult r;
  r.replicas = status_replicas;
  const double ratio = static_cast<double>(usage) /
                       (static_cast<double>(target_average) * static_cast<double>(status_replicas));
  r.trace.ratio = ratio;
  r.trace.ready_count = status_replicas;
  r.trace.rule = "ratio within the tolerance: keep the current replicas";
  if (!tol.within(ratio)) {
    r.replicas = ceil_to_int32(static_cast<double>(usage) / static_cast<double>(target_average));
    r.trace.rule = "ceil(usage / target average value)";
  }
  r.usage = status_replicas > 0
                ? static_cast<int64_t>(
                      std::ceil(static_cast<double>(usage) / static_cast<double>(status_replicas)))
                : usage;
  return r;
}

}  // namespace models::hpa
