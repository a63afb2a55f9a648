// Each HPA rule on its own (hpa.md section numbers in the test names' comments). The full
// Kubernetes case file runs through `hcsim hpa-check` in the "hpa-check" CTest test.
#include <catch2/catch.hpp>

#include "models/autoscaling/hpa_controller.h"

using namespace models::hpa;
using sim::seconds;
using sim::SimTime;

namespace {

const SimTime kNow = sim::hours(1000);

PodStatus pod(const std::string& name, int64_t request = 1000) {
  PodStatus p;
  p.name = name;
  p.cpu_request_milli = request;
  p.memory_request_milli = request;
  return p;
}

PodMetrics usage(std::initializer_list<std::pair<const char*, int64_t>> values) {
  PodMetrics m;
  for (const auto& [n, v] : values) m[n] = {v, kNow, seconds(60)};
  return m;
}

// An HPA on cpu utilization with three ready pods at the given usages.
Decision reconcile(HpaController& c, int32_t spec, std::vector<int64_t> usages,
                   SimTime now = kNow) {
  Observation o;
  o.now = now;
  o.spec_replicas = spec;
  o.status_replicas = static_cast<int32_t>(usages.size());
  MetricObservation m;
  for (std::size_t i = 0; i < usages.size(); ++i) {
    const std::string n = "p" + std::to_string(i);
    o.pods.push_back(pod(n));
    m.pod_metrics[n] = {usages[i], now, seconds(60)};
  }
  o.metrics.push_back(m);
  return c.reconcile(o);
}

HpaSpec cpu_spec(int32_t target, int32_t min_r = 1, int32_t max_r = 100) {
  HpaSpec s;
  s.min_replicas = min_r;
  s.max_replicas = max_r;
  MetricSpec m;
  m.average_utilization = target;
  s.metrics = {m};
  return s;
}

}  // namespace

TEST_CASE("HPA tolerance: a ratio within [0.9, 1.1] keeps the current size (§3.1)") {
  const std::vector<PodStatus> pods{pod("a"), pod("b")};
  const auto within = resource_utilization_replicas(2, 50, Resource::kCpu, pods,
                                                    usage({{"a", 550}, {"b", 550}}), kNow, {}, {});
  CHECK(within.value->utilization == 55);
  CHECK(within.value->replicas == 2);  // ratio 1.1 exactly: inside (inclusive)
  const auto out = resource_utilization_replicas(2, 50, Resource::kCpu, pods,
                                                 usage({{"a", 560}, {"b", 560}}), kNow, {}, {});
  CHECK(out.value->replicas == 3);  // 56/50 = 1.12 -> ceil(1.12 * 2)
  const Tolerances asym{0.34, 0.1};
  CHECK(asym.within(0.66));
  CHECK_FALSE(asym.within(0.65));
}

TEST_CASE("HPA utilization is an integer percent before the ratio (§3.3)") {
  // 99 + 99 of 400: 24.75% -> 24%, not 24.75%.
  const auto r =
      resource_utilization_replicas(4, 50, Resource::kCpu, {pod("a", 200), pod("b", 200)},
                                    usage({{"a", 49}, {"b", 50}}), kNow, {}, {});
  CHECK(r.value->utilization == 24);
  CHECK(r.value->raw_average == 49);
  // ceil(0.48 * readyPodCount 2) = 1: the multiplier is the ready pod count, not spec 4.
  CHECK(r.value->replicas == 1);
}

TEST_CASE(
    "HPA pod groups: deleted and failed are ignored, pending unready, no sample missing (§3.2)") {
  std::vector<PodStatus> pods{pod("ok"), pod("gone"), pod("failed"), pod("pending"),
                              pod("nosample")};
  pods[1].deleting = true;
  pods[2].phase = PodPhase::kFailed;
  pods[3].phase = PodPhase::kPending;
  const PodMetrics m = usage({{"ok", 1}, {"gone", 1}, {"failed", 1}, {"pending", 1}});
  const PodGroups g = group_pods(pods, m, true, kNow, {});
  CHECK(g.ready_count == 1);
  CHECK(g.ignored == std::set<std::string>{"gone", "failed"});
  CHECK(g.unready == std::set<std::string>{"pending"});
  CHECK(g.missing == std::set<std::string>{"nosample"});
}

TEST_CASE("HPA CPU readiness rules: initialization period and readiness delay (§3.2)") {
  GroupConfig gc;  // production: 5 min init, 30 s delay
  PodStatus young = pod("young");
  young.start_time = kNow - seconds(60);
  young.ready_transition = kNow - seconds(20);
  // Inside the init period, ready, but the sample does not cover a full window since readiness.
  CHECK(group_pods({young}, usage({{"young", 1}}), true, kNow, gc).unready.count("young") == 1);
  young.ready_transition = kNow - seconds(61);
  CHECK(group_pods({young}, usage({{"young", 1}}), true, kNow, gc).ready_count == 1);
  // After the init period: unready only if not ready and never became ready.
  PodStatus old = pod("old");
  old.start_time = kNow - seconds(600);
  old.ready = ReadyCondition::kFalse;
  old.ready_transition = old.start_time + seconds(10);  // never ready: flipped false early
  CHECK(group_pods({old}, usage({{"old", 1}}), true, kNow, gc).unready.size() == 1);
  old.ready_transition = old.start_time + seconds(300);  // was ready, later turned unready: counted
  CHECK(group_pods({old}, usage({{"old", 1}}), true, kNow, gc).ready_count == 1);
  // Readiness rules apply to cpu only.
  young.ready = ReadyCondition::kFalse;
  CHECK(group_pods({young}, usage({{"young", 1}}), false, kNow, gc).ready_count == 1);
}

TEST_CASE("HPA missing pods: 100% (or the target above 100%) on scale-down, 0 on scale-up (§3.3)") {
  const std::vector<PodStatus> pods{pod("a", 100), pod("b", 100), pod("c", 100), pod("d", 100)};
  // Scale-down: 3 at 40% of a 50% target, one missing counted at 100% -> 55% -> within 1.1.
  auto r = resource_utilization_replicas(4, 50, Resource::kCpu, pods,
                                         usage({{"a", 40}, {"b", 40}, {"c", 40}}), kNow, {}, {});
  CHECK(r.value->replicas == 4);
  // Scale-up: 3 at 100%, missing at 0 -> 75% of 50 -> 1.5 -> ceil(1.5 * 4) = 6.
  r = resource_utilization_replicas(4, 50, Resource::kCpu, pods,
                                    usage({{"a", 100}, {"b", 100}, {"c", 100}}), kNow, {}, {});
  CHECK(r.value->replicas == 6);
  // Plain metrics fill missing pods with exactly the target on a scale-down:
  // (3 x 500 + 1000) / 4 = 625 -> 0.625 -> ceil(0.625 x 4) = 3.
  auto p = plain_metric_replicas(4, 1000, false, pods, usage({{"a", 500}, {"b", 500}, {"c", 500}}),
                                 kNow, {}, {});
  CHECK(p.value->replicas == 3);
}

TEST_CASE("HPA unready pods count as 0 on scale-up and are dropped on scale-down (§3.3, §10.2)") {
  std::vector<PodStatus> pods{pod("a"), pod("b"), pod("c"), pod("d"), pod("e")};
  pods[3].phase = PodPhase::kPending;
  pods[4].phase = PodPhase::kPending;
  // Scale-down with 3 ready pods at 30% of a 50% target: 2, not 3.
  auto r = resource_utilization_replicas(5, 50, Resource::kCpu, pods,
                                         usage({{"a", 300}, {"b", 300}, {"c", 300}}), kNow, {}, {});
  CHECK(r.value->replicas == 2);
  // Scale-up: 3 ready at 100% of 50, unready at 0: 60% of 50 -> 1.2 -> ceil(1.2 * 5) = 6.
  r = resource_utilization_replicas(5, 50, Resource::kCpu, pods,
                                    usage({{"a", 1000}, {"b", 1000}, {"c", 1000}}), kNow, {}, {});
  CHECK(r.value->replicas == 6);
}

TEST_CASE("HPA direction flip and pod-count guards return the current size (§3.3)") {
  // One pod hot, two missing: ratio 2 says up, the 0-filled ratio says down -> no change.
  const std::vector<PodStatus> pods{pod("a"), pod("b"), pod("c")};
  const auto r = resource_utilization_replicas(3, 50, Resource::kCpu, pods, usage({{"a", 1000}}),
                                               kNow, {}, {});
  CHECK(r.value->replicas == 3);
}

TEST_CASE("HPA Object and External metrics (§3.5)") {
  std::vector<PodStatus> pods{pod("a"), pod("b"), pod("c")};
  pods[0].ready = ReadyCondition::kFalse;
  pods[2].ready = ReadyCondition::kFalse;
  // Value: ceil(ratio x ready pods) -- 1.95 x 1 ready = 2, a scale-down although ratio > 1.
  CHECK(value_replicas(3, 8600, 4400, pods, {}).value->replicas == 2);
  CHECK(value_replicas(3, 4500, 4400, pods, {}).value->replicas == 3);  // within tolerance
  CHECK(value_replicas(0, 1000, 1000, {}, {}).value->replicas == 1);    // from zero: ceil(ratio)
  // AverageValue: ceil(usage / target) unless within tolerance of status replicas.
  const UsageResult a = average_value_replicas(3, 8600, 2150, {});
  CHECK(a.replicas == 4);
  CHECK(a.usage == 2867);
  CHECK(average_value_replicas(4, 20166, 5000, {}).replicas == 4);
}

TEST_CASE("HPA takes the max over metrics and does not scale down on partial data (§4)") {
  HpaSpec s = cpu_spec(50, 1, 10);
  MetricSpec ext;
  ext.type = MetricSourceType::kExternal;
  ext.name = "queue";
  ext.target = TargetType::kValue;
  ext.value_milli = 10000;
  s.metrics.push_back(ext);
  HpaController c(s, {});
  Observation o;
  o.now = kNow;
  o.spec_replicas = o.status_replicas = 4;
  MetricObservation cpu;
  for (int i = 0; i < 4; ++i) {
    o.pods.push_back(pod("p" + std::to_string(i)));
    cpu.pod_metrics["p" + std::to_string(i)] = {250, kNow, seconds(60)};  // 25%: cpu says 2
  }
  MetricObservation q;
  q.external_values_milli = {30000};  // 3x target: says ceil(3 x 4) = 12
  o.metrics = {cpu, q};
  Decision d = c.reconcile(o);
  CHECK(d.metric_proposal == 12);
  CHECK(d.desired == 8);  // legacy cap max(2 x 4, 4)
  CHECK(d.scaling_limited == "ScaleUpLimit");
  // The external metric fails: the cpu metric alone would scale down, which is refused.
  o.metrics[1].fetch_error = true;
  HpaController c2(s, {});
  d = c2.reconcile(o);
  CHECK(d.metrics_failed);
  CHECK(d.desired == 4);
  CHECK(d.scaling_active == "FailedGetExternalMetric");
}

TEST_CASE("HPA min/max bypass ignores metrics (§2 step 3)") {
  HpaController c(cpu_spec(50, 3, 6), {});
  CHECK(reconcile(c, 2, {0, 0}).desired == 3);
  HpaController d(cpu_spec(50, 3, 6), {});
  CHECK(reconcile(d, 9, std::vector<int64_t>(9, 1000)).desired == 6);
  HpaController zero(cpu_spec(50, 1, 6), {});
  const Decision z = reconcile(zero, 0, {});
  CHECK(z.desired == 0);
  CHECK(z.scaling_active == "ScalingDisabled");
}

TEST_CASE("HPA legacy path: scale-up cap max(2x, 4) per sync, 300 s downscale window (§5, §10.7)") {
  HpaController c(cpu_spec(10, 1, 100), {});
  // 100% on 1 pod vs a 10% target: wants 10, capped at max(2 x 1, 4) = 4.
  CHECK(reconcile(c, 1, {1000}, kNow).desired == 4);
  // Load vanishes. The recorded raw recommendation (10, above maxReplicas-free cap) still rules
  // the window, so the HPA even scales *up* to the cap max(2 x 4, 4) = 8 (hpa.md §10.7).
  CHECK(reconcile(c, 4, {0, 0, 0, 0}, kNow + seconds(15)).desired == 8);
  CHECK(reconcile(c, 8, std::vector<int64_t>(8, 0), kNow + seconds(30)).desired == 10);
  // A sample exactly 300 s old still counts (age <= W); one second later it does not.
  CHECK(reconcile(c, 10, std::vector<int64_t>(10, 0), kNow + seconds(300)).desired == 10);
  CHECK(reconcile(c, 10, std::vector<int64_t>(10, 0), kNow + seconds(301)).desired == 1);
}

TEST_CASE(
    "HPA first reconcile records the current size: no scale-down for one window (§2, §10.6)") {
  HpaController c(cpu_spec(50, 1, 10), {});
  CHECK(reconcile(c, 5, {10, 10, 10, 10, 10}, kNow).desired == 5);
  CHECK(reconcile(c, 5, {10, 10, 10, 10, 10}, kNow + seconds(301)).desired == 1);
}

TEST_CASE("HPA behavior: stabilization windows count samples younger than the window (§6.2)") {
  std::vector<Recommendation> recs{{4, kNow - seconds(120)}, {5, kNow - seconds(60)}};
  // Scale-up window 300 s: the lowest recent recommendation (4) wins.
  CHECK(stabilize_with_behaviors(&recs, 1, 7, kNow, 300, 0).replicas == 4);
  CHECK(recs.size() == 3);
  // A sample exactly as old as the window no longer counts (After(cutoff) is strict).
  std::vector<Recommendation> edge{{9, kNow - seconds(60)}};
  CHECK(stabilize_with_behaviors(&edge, 10, 2, kNow, 0, 60).replicas == 2);
  std::vector<Recommendation> inside{{9, kNow - seconds(59)}};
  CHECK(stabilize_with_behaviors(&inside, 10, 2, kNow, 0, 60).replicas == 9);
  // Current stays when the recommendations straddle it.
  std::vector<Recommendation> both{{3, kNow - seconds(10)}, {8, kNow - seconds(10)}};
  CHECK(stabilize_with_behaviors(&both, 5, 6, kNow, 60, 60).replicas == 5);
}

TEST_CASE("HPA behavior policies: Pods, Percent, Max, Min, Disabled (§6.3)") {
  EffectiveRules up;
  up.policies = {{ScalingPolicy::Type::kPods, 4, 15}, {ScalingPolicy::Type::kPercent, 100, 15}};
  CHECK(scale_up_limit(10, {}, {}, up, kNow) == 20);  // max(14, 20)
  up.select_policy = SelectPolicy::kMin;
  CHECK(scale_up_limit(10, {}, {}, up, kNow) == 14);
  up.select_policy = SelectPolicy::kDisabled;
  CHECK(scale_up_limit(10, {}, {}, up, kNow) == 10);
  EffectiveRules pct;
  pct.policies = {{ScalingPolicy::Type::kPercent, 1, 60}};
  CHECK(scale_up_limit(3, {}, {}, pct, kNow) == 4);  // ceil(3.03)
  EffectiveRules down;
  down.policies = {{ScalingPolicy::Type::kPods, 20, 60}, {ScalingPolicy::Type::kPercent, 1, 60}};
  CHECK(scale_down_limit(100, {}, {}, down, kNow) == 80);  // Max = the biggest drop
  down.select_policy = SelectPolicy::kMin;
  CHECK(scale_down_limit(100, {}, {}, down, kNow) == 99);
  EffectiveRules half;
  half.policies = {{ScalingPolicy::Type::kPercent, 50, 60}};
  CHECK(scale_down_limit(5, {}, {}, half, kNow) == 2);  // int32(2.5) truncates
}

TEST_CASE("HPA behavior periods count events younger than the period and clamp to current (§6.3)") {
  const std::vector<ScaleEvent> events{{5, kNow - seconds(60), false},
                                       {7, kNow - seconds(59), false}};
  CHECK(replicas_change_per_period(60, events, kNow) == 7);
  EffectiveRules up;
  up.policies = {{ScalingPolicy::Type::kPods, 5, 120}};
  // 100 now, 12 added in the last 120 s: start 88, limit 93 < 100 -> stay at 100.
  const Limited l =
      convert_with_behavior_rate(100, 150, 1, 1000, events, {}, up, EffectiveRules{}, kNow);
  CHECK(l.replicas == 100);
  CHECK(l.reason == "ScaleUpLimit");
}

TEST_CASE("HPA scale events: outdated slots are reused (§6.4)") {
  EffectiveRules r;
  r.policies = {{ScalingPolicy::Type::kPods, 10, 60}};
  std::vector<ScaleEvent> ev{{8, kNow - seconds(30), false},
                             {7, kNow - seconds(61), false},
                             {9, kNow - seconds(61), false}};
  store_scale_event(&ev, r, 5, kNow);
  REQUIRE(ev.size() == 3);
  CHECK(ev[1].outdated);
  CHECK(ev[2].change == 5);  // the last outdated slot
  CHECK_FALSE(ev[2].outdated);
}

TEST_CASE(
    "HPA behavior defaults: user policies replace the list, the down window comes from the flag") {
  const EffectiveRules up = effective_scale_up(std::nullopt);
  CHECK(up.stabilization_window_s == 0);
  CHECK(up.policies.size() == 2);
  ScalingRules mine;
  mine.policies = std::vector<ScalingPolicy>{{ScalingPolicy::Type::kPods, 1, 2}};
  CHECK(effective_scale_up(mine).policies.size() == 1);
  ControllerConfig cfg;
  cfg.downscale_stabilization = seconds(120);
  CHECK(effective_scale_down(std::nullopt, cfg).stabilization_window_s == 120);
  CHECK_FALSE(api_default_scale_down(std::nullopt).stabilization_window_s.has_value());
}

TEST_CASE("HPA with behavior records scale events and limits by them across syncs") {
  HpaSpec s = cpu_spec(10, 1, 100);
  s.behavior = Behavior{};  // all defaults: up 4 pods or 100% per 15 s
  HpaController c(s, {});
  Decision d = reconcile(c, 2, {1000, 1000});  // wants 20
  CHECK(d.desired == 6);                       // max(2 + 4, 2 x 2)
  REQUIRE(c.scale_up_events.size() == 1);
  CHECK(c.scale_up_events[0].change == 4);
  d = reconcile(c, 6, std::vector<int64_t>(6, 1000), kNow + seconds(5));  // same period
  CHECK(d.desired == 6);  // period start 2: max(6, 4) = 6
  d = reconcile(c, 6, std::vector<int64_t>(6, 1000), kNow + seconds(15));
  CHECK(d.desired == 12);  // the first event aged out
}
