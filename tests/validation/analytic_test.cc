// Analytic validation: the simulated mean response time against queueing theory, with a 95%
// batch-means confidence interval from the recorded per-bucket series (each bucket is a batch).
// Also Little's law (time-average in flight = arrival rate x mean time in system) and the
// utilisation, from the same recorded series.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/run.h"
#include "queueing.h"
#include "report/stats.h"
#include "sim/memory_recorder.h"

namespace {

struct Observed {
  report::stats::Interval w;  // mean response time, batch-means CI
  double arrival_rate = 0;    // per second, measured
  double inflight_mean = 0;   // time average
  double cpu_util = 0;
  uint64_t completions = 0;
  int batches = 0;
};

Observed simulate(const std::string& file, const std::vector<std::string>& sets = {}) {
  const config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/validation/" + file, sets);
  sim::MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.status == "completed");
  std::vector<double> sums, counts;
  double arrivals = 0, area = 0, seconds = 0, util = 0;
  for (const auto* row : rec.rows("site", s.sites[0].site.name)) {
    if (row->t < s.metrics.warmup) continue;
    const double n = row->get("completions");
    REQUIRE(n > 0);
    sums.push_back(row->get("rt_mean_s") * n);
    counts.push_back(n);
    arrivals += row->get("arrivals");
    area += row->get("inflight_avg") * row->get("dt_s");
    util += row->get("cpu_util") * row->get("dt_s");
    seconds += row->get("dt_s");
  }
  Observed o;
  o.w = report::stats::ratio_ci(sums, counts);
  o.arrival_rate = arrivals / seconds;
  o.inflight_mean = area / seconds;
  o.cpu_util = util / seconds;
  o.completions = r.summary.sites[0].completed;
  o.batches = static_cast<int>(sums.size());
  return o;
}

void check(const Observed& o, double analytic_w, double lambda, double rho) {
  INFO("simulated W = " << o.w.mean << " +- " << o.w.half_width << " (95%, " << o.batches
                        << " batches, " << o.completions
                        << " completions); analytic W = " << analytic_w);
  CHECK(o.completions > 1'000'000);
  CHECK(o.batches >= 30);
  CHECK(o.w.contains(analytic_w));
  CHECK(std::abs(o.w.mean - analytic_w) / analytic_w < 0.02);
  // Little's law on the recorded series: L = lambda_measured * W_measured.
  CHECK(o.inflight_mean == Approx(o.arrival_rate * o.w.mean).epsilon(0.005));
  CHECK(o.arrival_rate == Approx(lambda).epsilon(0.01));
  CHECK(o.cpu_util == Approx(rho).epsilon(0.01));
}

}  // namespace

TEST_CASE("M/M/c with a shared queue matches Erlang C", "[validation]") {
  // Case B of models.md §6.2: lambda 8, mu 1, c 10.
  check(simulate("mmc-shared-queue.yaml"), queueing::mmc_mean_response(8, 1, 10), 8, 0.8);
  CHECK(queueing::erlang_c(10, 8) == Approx(0.409180).epsilon(1e-5));
}

TEST_CASE("M/M/c case D (web tier, 25 pods of 50 ms) through --set", "[validation]") {
  // The same scenario re-parameterised with the keys its header documents.
  const Observed o =
      simulate("mmc-shared-queue.yaml",
               {"traffic.rate=400/s", "traffic.request.cpu.mean=50ms", "sites.dc.replicas=25",
                "duration=2h", "metrics.bucket=200s", "metrics.warmup=200s"});
  CHECK(queueing::erlang_c(25, 20) == Approx(0.209103).epsilon(1e-5));
  check(o, queueing::mmc_mean_response(400, 20, 25), 400, 0.8);
}

TEST_CASE("M/M/1 processor sharing has mean 1/(mu - lambda)", "[validation]") {
  check(simulate("mm1-ps.yaml", {"allow_late=true", "duration=2000h", "metrics.bucket=20h"}),
        1.0 / (1.0 - 0.8), 0.8, 0.8);
}

TEST_CASE("M/G/1-PS with lognormal demand has the same mean (insensitivity)", "[validation]") {
  check(simulate("mg1-ps-lognormal.yaml"), queueing::mg1_ps_mean_response(0.7, 1.0), 0.7, 0.7);
}

TEST_CASE("random routing to c single-worker pods gives c independent M/M/1 queues",
          "[validation]") {
  check(simulate("random-mm1.yaml"), 1.0 / (1.0 - 2.8 / 4), 2.8, 0.7);
}

TEST_CASE("a 4-core processor-sharing pod has the mean of M/M/4", "[validation]") {
  check(simulate("ps-4core.yaml"), queueing::mmc_mean_response(3.2, 1, 4), 3.2, 0.8);
}
