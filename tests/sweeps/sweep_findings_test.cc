// The sweeps in scenarios/sweeps/ run end to end (hcsim sweep, then hcsim report --format json),
// and what docs/sweeps.md says each one shows still holds: a claim of separation is checked with
// the 95% confidence intervals apart, a claim of order or equality with the means or overlap.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

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
    "Sweep surge-hpa-target-x-stabilization: a lower target buys Apdex, no target passes the "
    "gates, a window buys Apdex and costs") {
  TempDir d;
  const auto rows = run_sweep("surge-hpa-target-x-stabilization", d);
  REQUIRE(rows.size() == 16);
  for (const char* w : {"0s", "1m", "5m", "10m"}) {
    const std::string sw = std::string(", stabilization=") + w;
    INFO(sw);
    CHECK(at(rows, "target=50" + sw, "apdex").mean > at(rows, "target=70" + sw, "apdex").mean);
    CHECK(above(at(rows, "target=50" + sw, "apdex"), at(rows, "target=80" + sw, "apdex")));
    CHECK(above(at(rows, "target=80" + sw, "error_rate_pct"),
                at(rows, "target=50" + sw, "error_rate_pct")));
    CHECK(at(rows, "target=60" + sw, "apdex").mean > at(rows, "target=80" + sw, "apdex").mean);
    CHECK(above(at(rows, "target=50" + sw, "cost"), at(rows, "target=80" + sw, "cost")));
    // Readiness flapping under the crowd: no target gets through the demo's gates reliably.
    for (const char* t : {"50", "60", "70", "80"}) {
      const Row& row = rows.at(std::string("target=") + t + sw);
      CHECK(row.gates_passed <= 1);
    }
  }
  CHECK(above(at(rows, "target=50, stabilization=10m", "cost"),
              at(rows, "target=50, stabilization=0s", "cost")));
  for (const char* t : {"60", "70", "80"}) {
    const std::string st = std::string("target=") + t;
    INFO(st);
    CHECK(at(rows, st + ", stabilization=10m", "cost").mean >
          at(rows, st + ", stabilization=0s", "cost").mean);
  }
  // Without a window the HPA scales down during the surge (flapping pods idle while out of the
  // Service): at the higher targets the window buys Apdex.
  for (const char* t : {"70", "80"}) {
    const std::string st = std::string("target=") + t;
    INFO(st);
    CHECK(at(rows, st + ", stabilization=10m", "apdex").mean >
          at(rows, st + ", stabilization=0s", "apdex").mean + 0.05);
  }
}

TEST_CASE("Sweep dr-weights-x-ttl: the promotion sets the RTO floor, stale resolvers a tail") {
  TempDir d;
  const auto rows = run_sweep("dr-weights-x-ttl", d);
  REQUIRE(rows.size() == 24);
  for (const char* w : {"10/90", "30/70", "50/50"}) {
    const std::string sw = std::string("weights=") + w;
    INFO(sw);
    // Honest resolvers: writes fail until the database's replica is promoted, so detection +
    // promotion (mean 90 s) + the SLO window sets the RTO for TTLs up to a minute.
    // (A replication can collapse again after recovering: its RTO runs to the last recovery, so
    // the TTLs' intervals overlap rather than their means being equal.)
    const Estimate t10 = at(rows, sw + ", ttl=10s, stale=none", "rto_s");
    const Estimate t30 = at(rows, sw + ", ttl=30s, stale=none", "rto_s");
    const Estimate t60 = at(rows, sw + ", ttl=60s, stale=none", "rto_s");
    const double floor = std::min({t10.mean, t30.mean, t60.mean});
    CHECK(floor == Approx(175).margin(25));
    for (const auto& [a, b] : {std::pair{&t10, &t30}, {&t10, &t60}, {&t30, &t60}}) {
      CHECK_FALSE(above(*a, *b));
      CHECK_FALSE(above(*b, *a));
    }
    // TTL 300 s goes above it: about detection + TTL + the SLO window, whatever the weight.
    CHECK(above(at(rows, sw + ", ttl=300s, stale=none", "rto_s"),
                at(rows, sw + ", ttl=60s, stale=none", "rto_s")));
    CHECK(at(rows, sw + ", ttl=300s, stale=none", "rto_s").mean == Approx(340).margin(40));
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
  // The promotion fails the writes of every user, whatever the weight.
  CHECK(at(rows, "weights=10/90, ttl=10s, stale=none", "error_rate_pct").mean > 0.4);
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

TEST_CASE("Sweep surge-autoscaler-zoo: only Knative gets through the flapping, at a price") {
  TempDir d;
  const auto rows = run_sweep("surge-autoscaler-zoo", d);
  REQUIRE(rows.size() == 4);
  const std::string hpa = "autoscaler=hpa", kn = "autoscaler=knative",
                    pred = "autoscaler=predictive", tt = "autoscaler=target-tracking";
  CHECK(above(at(rows, kn, "apdex"), at(rows, hpa, "apdex")));
  CHECK(above(at(rows, kn, "apdex"), at(rows, pred, "apdex")));
  CHECK(above(at(rows, kn, "cost"), at(rows, hpa, "cost")));
  // The HPA, target tracking and the predictive scaler lose about a fifth of the requests or
  // more; the predictive scaler's forecast helps it a little (fewer errors than both).
  CHECK(above(at(rows, tt, "error_rate_pct"), at(rows, pred, "error_rate_pct")));
  CHECK(at(rows, hpa, "error_rate_pct").mean > 15);
  CHECK(rows.at(kn).gates_passed >= rows.at(kn).runs - 2);
  for (const std::string& a : {hpa, pred, tt}) {
    INFO(a);
    CHECK(rows.at(a).gates_passed == 0);
  }
}

TEST_CASE(
    "Sweep shortage-x-fallback: each minute of shortage costs recovery time, a fallback helps "
    "only when the cloud reports the shortage") {
  TempDir d;
  const auto rows = run_sweep("shortage-x-fallback", d);
  REQUIRE(rows.size() == 15);
  // A 20-minute shortage with no fallback against none at all: RTO and Apdex apart.
  CHECK(above(at(rows, "shortage=20m, fallback=none", "rto_s"),
              at(rows, "shortage=none, fallback=none", "rto_s")));
  CHECK(above(at(rows, "shortage=none, fallback=none", "apdex"),
              at(rows, "shortage=20m, fallback=none", "apdex")));
  // RTO grows with the shortage as long as nothing else can take the load.
  CHECK(above(at(rows, "shortage=10m, fallback=none", "rto_s"),
              at(rows, "shortage=none, fallback=none", "rto_s")));
  CHECK(above(at(rows, "shortage=20m, fallback=none", "rto_s"),
              at(rows, "shortage=10m, fallback=none", "rto_s")));
  // The fallback found after the provisioning timeout arrives 15 minutes late; reported
  // errors bring it within a minute. The early fallback is paid in on-demand nodes.
  for (const char* len : {"20m", "40m"}) {
    const std::string s = std::string("shortage=") + len;
    INFO(s);
    CHECK(above(at(rows, s + ", fallback=on-demand", "rto_s"),
                at(rows, s + ", fallback=on-demand+errors", "rto_s")));
    CHECK(above(at(rows, s + ", fallback=on-demand+errors", "cost"),
                at(rows, s + ", fallback=none", "cost")));
  }
  // A shortage shorter than the timeout never reaches the fallback: the runs are identical.
  const Estimate& a = at(rows, "shortage=5m, fallback=none", "rto_s");
  const Estimate& b = at(rows, "shortage=5m, fallback=on-demand", "rto_s");
  CHECK(a.mean == b.mean);
}

TEST_CASE("Sweep database-limits: a read replica fixes the surge, more connections do not") {
  TempDir d;
  const auto rows = run_sweep("database-limits", d);
  REQUIRE(rows.size() == 4);
  for (const char* other : {"100 connections", "400 connections", "pool 5"}) {
    INFO(other);
    CHECK(above(at(rows, "database=read replica", "apdex"),
                at(rows, std::string("database=") + other, "apdex")));
    CHECK(rows.at(std::string("database=") + other).gates_passed == 0);
  }
  CHECK(rows.at("database=read replica").gates_passed == 10);
  // More connections (or smaller pools, which let every pod connect) put more queries on the
  // same cores: fewer requests fail in the pool, but the rest wait longer.
  CHECK(above(at(rows, "database=100 connections", "apdex"),
              at(rows, "database=400 connections", "apdex")));
  CHECK(above(at(rows, "database=100 connections", "error_rate_pct"),
              at(rows, "database=400 connections", "error_rate_pct")));
  CHECK(above(at(rows, "database=100 connections", "apdex"), at(rows, "database=pool 5", "apdex")));
}
