// A backtest against numbers worked out by hand: a site whose replicas are changed at a known time
// (a scale event), observed replicas and CPU from CSV traces; report/backtest.h's errors and lag
// must be the hand-computed ones, and the example scenario's Prometheus traces must reach the
// results file as written.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "report/backtest.h"
#include "store/results_reader.h"
#include "support/spawn.h"

using support::TempDir;

TEST_CASE("backtest: replicas error, bias and first scale-up lag computed by hand") {
  TempDir d;
  std::ofstream(d / "replicas.csv") << "t,replicas\n0,4\n60,4\n120,5\n180,5\n240,6\n300,6\n360,6\n";
  std::ofstream(d / "cpu.csv") << "t,cpu\n0,0.5\n60,0.5\n120,0.5\n";
  std::ofstream(d / "s.yaml") << R"(name: bt
duration: 7m
seed: 3
metrics: {bucket: 10s}
traffic:
  rate: 40/s
  request: {cpu: {dist: exponential, mean: 50ms}}
sites:
  a:
    cloud: private
    replicas: 4
    deployment: {pod: {cpu: 1, concurrency: 4, queue: 64}}
    observed:
      replicas: {file: replicas.csv}
      cpu: {file: cpu.csv}
events:
  - {at: 5m, scale: {site: a, replicas: 6}}
)";
  const support::Result r = support::hcsim({"run", d / "s.yaml", "--out", d / "r.sqlite", "-q"}, d);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const store::ResultsReader reader(d / "r.sqlite");
  const std::vector<report::SiteBacktest> b = report::backtest(reader, 1);
  REQUIRE(b.size() == 1);
  CHECK(b[0].site == "a");
  // Simulated desired replicas: 4 until 5m, then 6. Against 4 4 5 5 6 6 6: errors 0 0 1 1 2 0 0.
  CHECK(b[0].replica_points == 7);
  CHECK(b[0].replicas_mae == Approx(4.0 / 7));
  CHECK(b[0].replicas_bias == Approx(-4.0 / 7));
  REQUIRE(b[0].observed_first_up_s);
  CHECK(*b[0].observed_first_up_s == Approx(120));
  REQUIRE(b[0].simulated_first_up_s);
  CHECK(*b[0].simulated_first_up_s == Approx(300));
  CHECK(*b[0].lag_s() == Approx(180));
  // The peak: 6 observed first at 240 s, asked for by the simulation at 300 s.
  CHECK(b[0].observed_peak == 6);
  CHECK(*b[0].observed_peak_s == Approx(240));
  CHECK(*b[0].simulated_peak_s == Approx(300));
  CHECK(*b[0].peak_lag_s() == Approx(60));
  // CPU: point 0 against its bucket, points 1 and 2 against the buckets since the point before.
  std::vector<std::pair<double, double>> buckets;
  const std::string_view columns[] = {"cpu_util"};
  reader.for_each_series(1, columns, [&](const store::SeriesRow& row) {
    if (row.entity_id != 0 && !std::isnan(row.values[0]))
      buckets.emplace_back(static_cast<double>(row.t_ns) * 1e-9, row.values[0]);
  });
  auto mean_over = [&](double from, double to) {
    double sum = 0;
    int n = 0;
    for (const auto& [t, u] : buckets) {
      if (t >= from && t < to) {
        sum += u;
        ++n;
      }
    }
    return sum / n;
  };
  const double e0 = std::abs(mean_over(0, 10) - 0.5), e1 = std::abs(mean_over(0, 60) - 0.5),
               e2 = std::abs(mean_over(60, 120) - 0.5);
  CHECK(b[0].cpu_points == 3);
  CHECK(b[0].cpu_mae_pp == Approx(100 * (e0 + e1 + e2) / 3));
}

TEST_CASE(
    "backtest: the example's observed series reach the results file as Prometheus wrote them") {
  TempDir d;
  const std::string scenario =
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/backtest-prometheus.yaml";
  const support::Result r = support::hcsim(
      {"run", scenario, "--set", "duration=30m", "--allow-late", "--out", d / "r.sqlite", "-q"}, d);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const store::ResultsReader reader(d / "r.sqlite");
  const auto replicas = reader.samples(1, "observed/public", "replicas");
  REQUIRE(replicas.size() == 31);  // one a minute, 0 to 30 min
  CHECK(replicas.front().t_ns == 0);
  CHECK(replicas.front().value == 6);  // the answer's first public value
  const std::vector<report::SiteBacktest> b = report::backtest(reader, 1);
  REQUIRE(b.size() == 2);
  CHECK(b[0].site == "private");
  CHECK(b[1].cpu_points == 31);
  // The report shows it: a backtest table and, in JSON, the figures.
  const support::Result json = support::hcsim({"report", d / "r.sqlite", "--format", "json"}, d);
  REQUIRE(json.code == 0);
  CHECK(json.out.find("\"replicas_mae\"") != std::string::npos);
  const support::Result md =
      support::hcsim({"report", d / "r.sqlite", "--out", d / "r.md", "--no-charts"}, d);
  REQUIRE(md.code == 0);
  CHECK(support::slurp(d / "r.md").find("Backtest: observed against simulated") !=
        std::string::npos);
}
