// Faults end to end: what each kind does to requests, pods, nodes, health checks and the HPA.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

using sim::MemoryRecorder;
using sim::SimTime;

namespace {

struct Out {
  MemoryRecorder rec;
  engine::RunResult r;
};

std::unique_ptr<Out> run(const std::string& yaml, const std::vector<std::string>& set = {}) {
  const config::Scenario s = config::load_scenario_text(yaml, "f.yaml", set);
  auto out = std::make_unique<Out>();
  out->r = engine::execute(s, s.seed, out->rec, {});
  REQUIRE(out->r.status == "completed");
  return out;
}

// Sum of a series field over buckets starting in [from, to).
double sum(const MemoryRecorder& rec, const std::string& entity, const std::string& field,
           double from_s, double to_s) {
  double total = 0;
  for (const auto* row : rec.rows(entity == "all" ? "overall" : "site", entity)) {
    const double t = row->t.seconds();
    const double v = row->get(field);
    if (t >= from_s && t < to_s && !std::isnan(v)) total += v;
  }
  return total;
}

double at(const MemoryRecorder& rec, const std::string& entity, const std::string& field,
          double t_s) {
  for (const auto* row : rec.rows(entity == "all" ? "overall" : "site", entity)) {
    if (row->t.seconds() >= t_s) return row->get(field);
  }
  return std::nan("");
}

const char* kOneSite = R"(
name: faults
duration: 12m
seed: 5
traffic: {rate: 20/s, request: {cpu: {dist: constant, value: 50ms}, write_fraction: 0.2}}
sites:
  a:
    cloud: public
    replicas: 4
    nodes: {count: 4, cpu: 4, max_pods: 2}
    deployment:
      image: {name: app:1, size: 500MB}
      pod: {cpu: 1}
      startup:
        pull: {bandwidth: 50MB/s}
        boot: {dist: constant, value: 2s}
        readiness: {initialDelaySeconds: 1, periodSeconds: 1}
    autoscaler:
      hpa:
        minReplicas: 4
        maxReplicas: 8
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
)";

}  // namespace

TEST_CASE("a full outage fails requests as site_down, stops the HPA, and restarts pods cold") {
  const auto o = run(std::string(kOneSite) +
                     "events: [{at: 2m, outage: {site: a, kind: full, duration: 3m}}]\n");
  const MemoryRecorder& rec = o->rec;
  CHECK(sum(rec, "a", "failed", 0, 120) == 0);
  const double during = sum(rec, "a", "arrivals", 121, 300);
  CHECK(sum(rec, "a", "failed_site_down", 121, 300) == during);
  CHECK(at(rec, "a", "replicas_ready", 200) == 0);
  CHECK(at(rec, "a", "nodes", 200) == 0);
  // Back: a 500 MB image at 50 MB/s is pulled again (10 s), boot 2 s, readiness ~1-2 s.
  double back = 0;
  for (const auto* row : rec.rows("site", "a")) {
    if (row->t.seconds() > 300 && row->get("replicas_ready") == 4) {
      back = row->t.seconds() - 300;
      break;
    }
  }
  CHECK(back >= 12);
  CHECK(back <= 20);
  CHECK(sum(rec, "a", "failed", 330, 720) == 0);
  bool hpa_during = false, restart = false;
  for (const auto& e : rec.events_) {
    if (e.component == "hpa/a" && e.t > sim::seconds(120) && e.t < sim::seconds(300))
      hpa_during = true;
    if (e.component == "hpa/a" && e.kind == "restart") restart = e.t > sim::seconds(300);
  }
  CHECK_FALSE(hpa_during);
  CHECK(restart);
  REQUIRE(o->r.dr.incidents.size() == 1);
  CHECK(o->r.dr.incidents[0].kind == "full");
  CHECK(o->r.dr.incidents[0].end_s == Approx(300));
}

TEST_CASE("a warm recovery keeps the image caches") {
  const auto o =
      run(std::string(kOneSite) +
          "events: [{at: 2m, outage: {site: a, kind: full, duration: 3m, cold: false}}]\n");
  double back = 0;
  for (const auto* row : o->rec.rows("site", "a")) {
    if (row->t.seconds() > 300 && row->get("replicas_ready") == 4) {
      back = row->t.seconds() - 300;
      break;
    }
  }
  CHECK(back <= 6);  // no pull: boot 2 s + readiness
}

TEST_CASE("a partial outage loses nodes with their pods, the pods come back where room is") {
  // 4 nodes x 2 pods of room, 4 pods; losing half the nodes leaves room for exactly 4 pods.
  const auto o =
      run(std::string(kOneSite) +
          "events: [{at: 2m, outage: {site: a, kind: partial, fraction: 0.5, duration: 5m}}]\n");
  const MemoryRecorder& rec = o->rec;
  CHECK(at(rec, "a", "nodes", 150) == 2);
  CHECK(at(rec, "a", "replicas_ready", 160) == 4);  // rescheduled on the two survivors
  CHECK(at(rec, "a", "nodes", 500) == 4);
  int killed = 0;
  for (const auto& e : rec.events_)
    killed += e.message.find(" killed") != std::string::npos ? 1 : 0;
  CHECK(killed >= 1);
  CHECK(killed <= 4);
  CHECK(sum(rec, "a", "failed_site_down", 0, 720) == 0);
}

TEST_CASE("a partition from clients fails requests as unreachable but passes health checks") {
  const std::string two = R"(
name: partition
duration: 10m
seed: 3
traffic: {rate: 50/s, request: {cpu: {dist: constant, value: 20ms}}}
gslb:
  policy: weighted
  weights: {a: 1, b: 1}
  dns: {ttl: 10s, resolvers_per_region: 100, stale_clients: none}
  health_check: {interval: 5s, timeout: 1s, failure_threshold: 2, success_threshold: 2}
sites:
  a: {cloud: private, replicas: 4, deployment: {pod: {cpu: 1}}}
  b: {cloud: public, replicas: 4, deployment: {pod: {cpu: 1}}}
)";
  {
    const auto o = run(
        two +
        "events: [{at: 2m, outage: {site: a, kind: partition, from: clients, duration: 2m}}]\n");
    CHECK(sum(o->rec, "a", "failed_unreachable", 121, 240) ==
          sum(o->rec, "a", "arrivals", 121, 240));
    CHECK(sum(o->rec, "a", "arrivals", 121, 240) > 2000);  // the GSLB keeps sending users there
    CHECK(o->r.dr.incidents.at(0).detected_s == std::nullopt);
  }
  {
    const auto o = run(
        two + "events: [{at: 2m, outage: {site: a, kind: partition, from: gslb, duration: 2m}}]\n");
    CHECK(sum(o->rec, "all", "failed", 0, 600) == 0);  // clients still reach it
    REQUIRE(o->r.dr.incidents.at(0).detected_s);
    CHECK(*o->r.dr.incidents[0].detected_s < 120 + 12);
    // Marked down, the site gets no new answers: its share falls to zero once caches expire.
    CHECK(sum(o->rec, "a", "arrivals", 150, 240) == 0);
  }
}

TEST_CASE("a brown-out multiplies service times by 1 / factor") {
  const auto o =
      run(std::string(kOneSite) +
          "events: [{at: 2m, outage: {site: a, kind: brownout, factor: 0.5, duration: 4m}}]\n");
  auto mean_rt = [&](double from, double to) {
    return sum(o->rec, "a", "rt_mean_s", from, to) / (to - from);
  };
  const double before = mean_rt(60, 120), during = mean_rt(150, 350);
  CHECK(before == Approx(0.050).epsilon(0.1));
  CHECK(during == Approx(0.100).epsilon(0.1));
  CHECK(mean_rt(400, 700) == Approx(0.050).epsilon(0.1));
}

TEST_CASE("random faults alternate up and down times with the given means") {
  const auto o = run(std::string(kOneSite) +
                         "faults: [{site: a, kind: brownout, factor: 0.8, mtbf: 10m, mttr: 1m}]\n",
                     {"allow_late=true", "duration=20h", "metrics.bucket=1m"});
  const auto& inc = o->r.dr.incidents;
  // About 20 h / 11 min = 109 cycles; Poisson-like spread.
  CHECK(inc.size() > 80);
  CHECK(inc.size() < 140);
  double down = 0;
  for (const auto& i : inc) down += (i.end_s ? *i.end_s : 72000.0) - i.start_s;
  CHECK(down / 72000.0 == Approx(1.0 / 11.0).epsilon(0.3));
}

TEST_CASE("a brown-out makes the health checks time out: marked down, then back up") {
  // Two sites behind a DNS GSLB with a fast Route 53 check (10 s, 3 failures; 4 s to connect,
  // 2 s to answer). Site a is browned out to 5% speed at 5 min for 5 min: at 30 users' worth of
  // load its pods fall behind, checks wait behind the requests and time out.
  const std::string two = R"(
name: brownout-check
duration: 15m
seed: 11
traffic: {rate: 60/s, request: {cpu: {dist: exponential, mean: 40ms}}}
gslb:
  policy: weighted
  weights: {a: 1, b: 1}
  dns: {ttl: 10s, resolvers_per_region: 200, stale_clients: none}
  health_check: {interval: 10s, timeout: 4s, response_timeout: 2s, failure_threshold: 3,
                 success_threshold: 3}
sites:
  a: {cloud: private, replicas: 4, deployment: {pod: {cpu: 1, concurrency: 4, queue: 50}}}
  b: {cloud: public, replicas: 4, deployment: {pod: {cpu: 1, concurrency: 4, queue: 50}}}
events: [{at: 5m, outage: {site: a, kind: brownout, factor: 0.05, duration: 5m}}]
)";
  for (int seed = 1; seed <= 5; ++seed) {
    const auto o = run(two, {"seed=" + std::to_string(seed)});
    double down = -1, last = -1;
    int transitions = 0;
    bool healthy_at_end = true;
    for (const auto& e : o->rec.events_) {
      if (e.component != "gslb" || e.kind != "health" || e.details.text("site") != "a") continue;
      if (e.details.number("healthy") == 0 && down < 0) down = e.t.seconds();
      healthy_at_end = e.details.number("healthy") == 1;
      last = e.t.seconds();
      ++transitions;
    }
    INFO("seed " << seed << ": marked down at " << down << " s, " << transitions
                 << " transitions, the last at " << last << " s");
    // The first check after the brown-out comes within a period; the third failure is known
    // two periods later, when its answer is 2 s late (or at once when rejected).
    REQUIRE(down > 300);
    CHECK(down - 300 <= 10 + 2 * 10 + 2);
    CHECK(down - 300 >= 2 * 10 - 2);
    // Without users a slow site answers its checks in time: it comes back, gets users, falls
    // behind and is marked down again, until the brown-out ends; then it stays healthy.
    CHECK(transitions >= 2);
    CHECK(healthy_at_end);
    CHECK(last <= 600 + 3 * 10 + 10 + 60);
    CHECK(sum(o->rec, "a", "failed", 720, 900) == 0);
  }
}

TEST_CASE("an outage at a random time starts within its window, differs by seed, repeats by seed") {
  const std::string yaml =
      std::string(kOneSite) +
      "events: [{at: {random: [3m, 9m]}, outage: {site: a, kind: full, duration: 1m}}]\n";
  const config::Scenario s = config::load_scenario_text(yaml, "f.yaml", {});
  std::vector<double> starts;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    MemoryRecorder rec;
    const engine::RunResult r = engine::execute(s, seed, rec, {});
    REQUIRE(r.dr.incidents.size() == 1);
    const double start = r.dr.incidents[0].start_s;
    CHECK(start >= 180);
    CHECK(start <= 540);
    CHECK(r.dr.incidents[0].end_s.value() == Approx(start + 60));
    starts.push_back(start);
  }
  std::sort(starts.begin(), starts.end());
  CHECK(std::unique(starts.begin(), starts.end()) == starts.end());  // twelve different starts
  CHECK(starts.front() < 300);  // spread over the window (uniform: each end's third is likely)
  CHECK(starts.back() > 420);
  MemoryRecorder again;
  const engine::RunResult r3 = engine::execute(s, 3, again, {});
  MemoryRecorder first;
  CHECK(engine::execute(s, 3, first, {}).dr.incidents[0].start_s == r3.dr.incidents[0].start_s);
}

TEST_CASE("a random outage window is checked when the scenario loads") {
  const auto load = [](const std::string& events) {
    return config::load_scenario_text(std::string(kOneSite) + events, "f.yaml", {});
  };
  CHECK_THROWS_WITH(load("events: [{at: {random: [9m, 3m]}, outage: {site: a}}]\n"),
                    Catch::Contains("after its start"));
  CHECK_THROWS_WITH(load("events: [{at: {random: [3m]}, outage: {site: a}}]\n"),
                    Catch::Contains("[from, to]"));
  CHECK_THROWS_WITH(load("events: [{at: {random: [3m, 20m]}, outage: {site: a}}]\n"),
                    Catch::Contains("end of the run"));
  CHECK_THROWS_WITH(load("events: [{at: {random: [1m, 2m]}, scale: {site: a, replicas: 2}}]\n"),
                    Catch::Contains("for outages"));
  CHECK_THROWS_WITH(load("events: [{at: {randm: [1m, 2m]}, outage: {site: a}}]\n"),
                    Catch::Contains("randm"));
}

TEST_CASE("percentile gates on RTO are the nearest rank over the run's incidents") {
  // Random full outages, short and frequent: several incidents in the run.
  const std::string yaml = std::string(kOneSite) +
                           "faults: [{site: a, kind: full, mtbf: 90s, mttr: 15s}]\n"
                           "slo: {window: 10s}\n"
                           "expect: {rto_p50_max_s: 1e6, rto_p90_max_s: 1e6, rto_p99_max_s: 1}\n";
  const config::Scenario s = config::load_scenario_text(yaml, "f.yaml", {});
  MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  std::vector<double> rto;
  for (const auto& inc : r.dr.incidents) {
    rto.push_back(inc.rto_s ? *inc.rto_s : std::numeric_limits<double>::infinity());
  }
  REQUIRE(rto.size() >= 4);
  std::sort(rto.begin(), rto.end());
  const auto rank = [&](double p) {
    const auto k = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(rto.size())));
    return rto[k - 1];
  };
  std::map<std::string, const engine::ExpectCheck*> by_key;
  for (const auto& c : r.checks) by_key[c.key] = &c;
  REQUIRE(by_key.count("rto_p50_max_s") == 1);
  const double p50 = rank(50), p99 = rank(99);
  REQUIRE(std::isfinite(p50));  // six incidents here, each recovered
  CHECK(by_key["rto_p50_max_s"]->value == Approx(p50));
  CHECK(by_key["rto_p50_max_s"]->passed);
  CHECK(p99 == rto.back());  // P99 of a handful is the worst
  CHECK_FALSE(by_key["rto_p99_max_s"]->passed);
  CHECK_FALSE(by_key["rto_p99_max_s"]->optional);
}

TEST_CASE("percentile gates without an incident are not evaluated, and run-level only") {
  const std::string base = std::string(kOneSite);
  const config::Scenario s = config::load_scenario_text(
      base + "expect: {rto_p90_max_s: 60, optional: [rto_p90_max_s]}\n", "f.yaml", {});
  MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.checks.size() == 1);
  CHECK_FALSE(r.checks[0].evaluated);
  CHECK(r.checks[0].passed);  // optional
  CHECK_THROWS_WITH(config::load_scenario_text(base + "expect: {sites: {a: {rto_p99_max_s: 60}}}\n",
                                               "f.yaml", {}),
                    Catch::Contains("run-level"));
}
