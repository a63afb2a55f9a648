// The sweeps in scenarios/sweeps/ run end to end (hcsim sweep, then hcsim report --format json),
// and what docs/sweeps.md says each one shows still holds: every claim is checked with the 95%
// confidence intervals apart, not just the means.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "support/spawn.h"

using namespace support;

namespace {

const std::string kSweeps = std::string(HCSIM_SOURCE_DIR) + "/scenarios/sweeps/";

struct Estimate {
  double mean = 0, ci95 = 0;
};

struct Row {
  int runs = 0, gates_passed = 0;
  std::map<std::string, Estimate> m;
};

// Runs a sweep with two workers and returns its report, configuration label -> row.
std::map<std::string, Row> run_sweep(const std::string& name, const TempDir& d) {
  const Result s =
      hcsim({"sweep", kSweeps + name + ".yaml", "--jobs", "2", "--out", d / "r.sqlite", "-q"}, d);
  INFO(s.err);
  REQUIRE((s.code == 0 || s.code == 1));  // 1: some configurations fail their gates, by design
  const Result r = hcsim({"report", d / "r.sqlite", "--format", "json", "--out", d / "r.json"}, d);
  REQUIRE(r.code == 0);
  const YAML::Node doc = YAML::LoadFile(d / "r.json");
  REQUIRE(doc["unfinished_runs"].as<int>() == 0);
  std::map<std::string, Row> rows;
  for (const YAML::Node& c : doc["configurations"]) {
    Row row;
    row.runs = c["runs"].as<int>();
    row.gates_passed = c["gates_passed"].as<int>();
    for (const char* k : {"apdex", "error_rate_pct", "cost", "rto_s"}) {
      if (c[k] && c[k]["mean"].IsScalar() && c[k]["mean"].Scalar() != "null")
        row.m[k] = {c[k]["mean"].as<double>(), c[k]["ci95"].as<double>()};
    }
    rows[c["configuration"].as<std::string>()] = row;
  }
  return rows;
}

const Estimate& at(const std::map<std::string, Row>& rows, const std::string& config,
                   const std::string& metric) {
  INFO(config << " " << metric);
  REQUIRE(rows.count(config) == 1);
  REQUIRE(rows.at(config).m.count(metric) == 1);
  return rows.at(config).m.at(metric);
}

// a's interval lies wholly above b's.
bool above(const Estimate& a, const Estimate& b) { return a.mean - a.ci95 > b.mean + b.ci95; }

}  // namespace

TEST_CASE(
    "Sweep surge-hpa-target-x-stabilization: a lower target buys Apdex, a longer window costs") {
  TempDir d;
  const auto rows = run_sweep("surge-hpa-target-x-stabilization", d);
  REQUIRE(rows.size() == 16);
  for (const char* w : {"0s", "1m", "5m", "10m"}) {
    const std::string sw = std::string(", stabilization=") + w;
    INFO(sw);
    CHECK(above(at(rows, "target=50" + sw, "apdex"), at(rows, "target=70" + sw, "apdex")));
    CHECK(above(at(rows, "target=60" + sw, "apdex"), at(rows, "target=80" + sw, "apdex")));
    CHECK(above(at(rows, "target=80" + sw, "error_rate_pct"),
                at(rows, "target=60" + sw, "error_rate_pct")));
    CHECK(above(at(rows, "target=50" + sw, "cost"), at(rows, "target=80" + sw, "cost")));
    CHECK(rows.at("target=80" + sw).gates_passed == 0);
    CHECK(rows.at("target=50" + sw).gates_passed == rows.at("target=50" + sw).runs);
  }
  for (const char* t : {"50", "60", "70"}) {
    const std::string st = std::string("target=") + t;
    INFO(st);
    CHECK(above(at(rows, st + ", stabilization=10m", "cost"),
                at(rows, st + ", stabilization=0s", "cost")));
  }
}

TEST_CASE("Sweep dr-weights-x-ttl: the TTL sets the RTO unless stale resolvers do") {
  TempDir d;
  const auto rows = run_sweep("dr-weights-x-ttl", d);
  REQUIRE(rows.size() == 24);
  for (const char* w : {"10/90", "30/70", "50/50"}) {
    const std::string sw = std::string("weights=") + w;
    INFO(sw);
    // Honest resolvers: each TTL step lengthens the RTO.
    CHECK(above(at(rows, sw + ", ttl=30s, stale=none", "rto_s"),
                at(rows, sw + ", ttl=10s, stale=none", "rto_s")));
    CHECK(above(at(rows, sw + ", ttl=60s, stale=none", "rto_s"),
                at(rows, sw + ", ttl=30s, stale=none", "rto_s")));
    CHECK(above(at(rows, sw + ", ttl=300s, stale=none", "rto_s"),
                at(rows, sw + ", ttl=60s, stale=none", "rto_s")));
    // TTL 300 s: about detection + TTL + the SLO window, whatever the weight.
    CHECK(at(rows, sw + ", ttl=300s, stale=none", "rto_s").mean == Approx(360).margin(60));
    // Stale resolvers add a tail that a short TTL does not remove: separated by the intervals
    // where the failing site carries 30% or more of the users; with 10% the tail often stays
    // under the SLO's error budget, so only the mean is longer (10 replications).
    const Estimate stale = at(rows, sw + ", ttl=10s, stale=default", "rto_s");
    const Estimate honest = at(rows, sw + ", ttl=10s, stale=none", "rto_s");
    if (std::string(w) == "10/90") {
      CHECK(stale.mean > honest.mean + honest.ci95);
    } else {
      CHECK(above(stale, honest));
    }
  }
  for (const char* t : {"10s", "30s", "60s", "300s"}) {
    const std::string st = std::string(", ttl=") + t + ", stale=none";
    INFO(st);
    // More weight on the site that fails, more users hit by the outage.
    CHECK(above(at(rows, "weights=50/50" + st, "error_rate_pct"),
                at(rows, "weights=30/70" + st, "error_rate_pct")));
    CHECK(above(at(rows, "weights=30/70" + st, "error_rate_pct"),
                at(rows, "weights=10/90" + st, "error_rate_pct")));
  }
}

TEST_CASE("Sweep surge-autoscaler-zoo: Knative buys Apdex with pods, target tracking is late") {
  TempDir d;
  const auto rows = run_sweep("surge-autoscaler-zoo", d);
  REQUIRE(rows.size() == 4);
  const std::string hpa = "autoscaler=hpa", kn = "autoscaler=knative",
                    pred = "autoscaler=predictive", tt = "autoscaler=target-tracking";
  CHECK(above(at(rows, kn, "apdex"), at(rows, hpa, "apdex")));
  CHECK(above(at(rows, kn, "cost"), at(rows, hpa, "cost")));
  CHECK(above(at(rows, hpa, "apdex"), at(rows, pred, "apdex")));
  CHECK(above(at(rows, pred, "apdex"), at(rows, tt, "apdex")));
  CHECK(above(at(rows, tt, "error_rate_pct"), at(rows, hpa, "error_rate_pct")));
  CHECK(rows.at(tt).gates_passed == 0);
  CHECK(rows.at(hpa).gates_passed == rows.at(hpa).runs);
}
