// hcsim explain's chain on cases computed by hand: the HPA's details (models/autoscaling/
// hpa_autoscaler.h) and their text (report/explain.h) must show the controller's own numbers.
#include <catch2/catch.hpp>

#include "models/autoscaling/hpa_autoscaler.h"
#include "report/explain.h"
#include "store/json.h"
#include "store/results_writer.h"

using namespace models::hpa;
using store::JsonValue;

namespace {

const sim::SimTime kNow = sim::hours(10);

PodStatus running(const std::string& name) {
  PodStatus p;
  p.name = name;
  p.cpu_request_milli = 500;
  p.start_time = kNow - sim::hours(1);  // long past the CPU initialization period
  p.ready_transition = p.start_time + sim::seconds(20);
  return p;
}

HpaSpec cpu_spec(int32_t target) {
  HpaSpec s;
  s.min_replicas = 1;
  s.max_replicas = 10;
  MetricSpec m;
  m.average_utilization = target;
  s.metrics = {m};
  return s;
}

// Three ready pods (requests 500m) using 500m, 450m and 500m, and a fourth still Pending.
Observation observation() {
  Observation o;
  o.now = kNow;
  o.spec_replicas = 4;
  o.status_replicas = 4;
  MetricObservation m;
  for (const auto& [name, used] :
       {std::pair<const char*, int64_t>{"a", 500}, {"b", 450}, {"c", 500}}) {
    o.pods.push_back(running(name));
    m.pod_metrics[name] = {used, kNow - sim::seconds(10), sim::seconds(60)};
  }
  PodStatus pending = running("d");
  pending.phase = PodPhase::kPending;
  pending.ready = ReadyCondition::kFalse;
  o.pods.push_back(pending);
  o.metrics.push_back(m);
  return o;
}

JsonValue details_of(const Decision& d, const HpaSpec& spec, const ControllerConfig& cfg,
                     const Observation& o) {
  return JsonValue::parse(store::details_to_json(models::hpa_decision_details(d, spec, cfg, o)));
}

}  // namespace

TEST_CASE("explain: the HPA chain of a hand-computed scale-up with a Pending pod") {
  // By hand: the ready pods use 1450m of 1500m requested: utilization 1450 x 100 / 1500 = 96%
  // (integer), ratio 96 / 50 = 1.92. A pod is unready and the ratio is above 1, so the second
  // pass counts it at 0: 1450 x 100 / 2000 = 72%, ratio 1.44 over 4 pods: ceil(5.76) = 6.
  // No behavior: stabilization keeps the highest of {4 (the first record), 6} = 6; the scale-up
  // limit is max(2 x 4, 4) = 8; min 1, max 10: 6.
  const HpaSpec spec = cpu_spec(50);
  const ControllerConfig cfg;
  HpaController c(spec, cfg);
  const Observation o = observation();
  const Decision d = c.reconcile(o);
  REQUIRE(d.desired == 6);
  const JsonValue j = details_of(d, spec, cfg, o);
  const JsonValue& m = j["metrics"][0];
  CHECK(m["utilization"].integer() == 96);
  CHECK(m["ratio"].number() == Approx(1.92));
  CHECK(m["new_ratio"].number() == Approx(1.44));
  CHECK(m["counted_pods"].integer() == 4);
  CHECK(m["ready_pods"].integer() == 3);
  CHECK(m["proposal"].integer() == 6);
  CHECK(m["rule"].text() == "ceil(filled-in ratio x pods counted)");
  REQUIRE(m["pods"].items().size() == 4);
  CHECK(m["pods"][3]["pod"].text() == "d");
  CHECK(m["pods"][3]["group"].text() == "unready");
  CHECK(m["pods"][3]["why"].text() == "Pending: not running yet");
  CHECK(m["pods"][1]["value_milli"].integer() == 450);
  CHECK(m["pods"][1]["request_milli"].integer() == 500);
  CHECK(m["pods"][1]["sample_age_s"].number() == Approx(10));
  CHECK(j["tolerance"]["up"].number() == Approx(0.1));
  CHECK(j["stabilized"].integer() == 6);
  CHECK(j["limits"]["up"].integer() == 8);
  CHECK(j["desired"].integer() == 6);
  CHECK(j["rescale"].boolean());

  const std::string text = report::explain_hpa(j);
  INFO(text);
  CHECK(text.find("3 counted (ready), 1 unready, 0 missing, 0 ignored") != std::string::npos);
  CHECK(text.find("= 96%") != std::string::npos);
  CHECK(text.find("ratio = 96 / 50 = 1.9200") != std::string::npos);
  CHECK(text.find("ratio 1.4400 over 4 pods") != std::string::npos);
  CHECK(text.find("= ceil(1.4400 x 4) = 6") != std::string::npos);
  CHECK(text.find("at most 8 = max(2 x 4 current, 4)") != std::string::npos);
  CHECK(text.find("Result: 4 -> 6 replicas (scaled") != std::string::npos);
}

TEST_CASE("explain: a ratio inside the tolerance holds, and the text says so") {
  // 3 pods at 260m of 500m: 52%, ratio 52 / 50 = 1.04, inside [0.9, 1.1]: keep 3.
  const HpaSpec spec = cpu_spec(50);
  const ControllerConfig cfg;
  HpaController c(spec, cfg);
  Observation o = observation();
  o.pods.pop_back();
  o.spec_replicas = o.status_replicas = 3;
  for (auto& [name, s] : o.metrics[0].pod_metrics) s.value_milli = 260;
  const Decision d = c.reconcile(o);
  CHECK(d.desired == 3);
  const JsonValue j = details_of(d, spec, cfg, o);
  CHECK(j["metrics"][0]["rule"].text() == "ratio within the tolerance: keep the current replicas");
  const std::string text = report::explain_hpa(j);
  INFO(text);
  CHECK(text.find("ratio = 52 / 50 = 1.0400") != std::string::npos);
  CHECK(text.find("the ratio is inside it") != std::string::npos);
  CHECK(text.find("Result: 3 -> 3 replicas (held") != std::string::npos);
}

TEST_CASE("explain: behavior's stabilization window and rate limits as the controller used them") {
  // scaleDown: window 60 s, at most 1 pod per 60 s. Six pods at 80m of 500m: 16%, ratio 0.32,
  // ceil(0.32 x 6) = 2. At t0 the pods sit at the target (6 recorded); at t0 + 30 s they want 2
  // but the highest recommendation younger than 60 s is 6: the size stays 6. At t0 + 90 s no
  // recommendation is younger than 60 s (the one of t0 + 30 s is exactly 60 s old), so the
  // window allows 2, and the policy lets one pod go: 5.
  HpaSpec spec = cpu_spec(50);
  ScalingRules down;
  down.stabilization_window_s = 60;
  down.policies = std::vector<ScalingPolicy>{{ScalingPolicy::Type::kPods, 1, 60}};
  spec.behavior = Behavior{std::nullopt, down};
  const ControllerConfig cfg;
  HpaController c(spec, cfg);
  auto at = [&](sim::SimTime now, int64_t used) {
    Observation o;
    o.now = now;
    o.spec_replicas = o.status_replicas = 6;
    MetricObservation m;
    for (int i = 0; i < 6; ++i) {
      PodStatus p = running("p" + std::to_string(i));
      p.start_time = now - sim::hours(1);
      p.ready_transition = p.start_time + sim::seconds(20);
      o.pods.push_back(p);
      m.pod_metrics[p.name] = {used, now, sim::seconds(60)};
    }
    o.metrics.push_back(m);
    const Decision d = c.reconcile(o);
    return std::make_pair(d, details_of(d, spec, cfg, o));
  };
  const sim::SimTime t0 = kNow;
  (void)at(t0, 250);  // 50%: holds 6, recorded
  const auto [d1, j1] = at(t0 + sim::seconds(30), 80);
  CHECK(d1.desired == 6);
  CHECK(j1["proposal"].integer() == 2);
  CHECK(j1["able_to_scale"].text() == "ScaleDownStabilized");
  const auto [d2, j2] = at(t0 + sim::seconds(90), 80);
  CHECK(d2.desired == 5);
  CHECK(j2["limits"]["down"].integer() == 5);
  CHECK(j2["scaling_limited"].text() == "ScaleDownLimit");
  const std::string text = report::explain_hpa(j2);
  INFO(text);
  CHECK(text.find("Stabilization (behavior)") != std::string::npos);
  CHECK(text.find("a scale-down leaves at least 5") != std::string::npos);
  CHECK(text.find("Result: 6 -> 5 replicas (scaled") != std::string::npos);
}
