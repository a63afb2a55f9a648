// The database tier against queueing theory (scenarios/validation/db-mmc.yaml): a
// processor-sharing database of c cores with exponential queries has the mean of M/M/c, and a
// pod's connection pool of N connections in front of an uncontended database is an M/M/N FCFS
// queue, so pool waits follow Erlang C's definition of the waiting time.
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

struct Run {
  engine::RunResult r;
  report::stats::Interval rt, query;  // batch means over the measured buckets
  double db_util = 0;
};

Run simulate(const std::vector<std::string>& sets) {
  const config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/validation/db-mmc.yaml", sets);
  sim::MemoryRecorder rec;
  Run out;
  out.r = engine::execute(s, s.seed, rec, {});
  REQUIRE(out.r.status == "completed");
  std::vector<double> rt, q, n;
  double util = 0, seconds = 0;
  for (const auto* row : rec.rows("site", "dc")) {
    if (row->t < s.metrics.warmup) continue;
    const double c = row->get("completions");
    REQUIRE(c > 0);
    rt.push_back(row->get("rt_mean_s") * c);
    q.push_back(row->get("db_query_s") * c);
    n.push_back(c);
    util += row->get("db_util") * row->get("dt_s");
    seconds += row->get("dt_s");
  }
  out.rt = report::stats::ratio_ci(rt, n);
  out.query = report::stats::ratio_ci(q, n);
  out.db_util = util / seconds;
  return out;
}

}  // namespace

TEST_CASE("a 4-core processor-sharing database has the mean query time of M/M/4", "[validation]") {
  const Run run = simulate({});
  const double w = queueing::mmc_mean_response(320, 100, 4);  // 17.455 ms
  INFO("query time " << run.query.mean << " +- " << run.query.half_width << ", M/M/4 " << w);
  CHECK(run.query.contains(w));
  CHECK(std::abs(run.query.mean - w) / w < 0.02);
  // The response adds the pod's 1 us of CPU.
  CHECK(run.rt.contains(w + 1e-6));
  CHECK(run.db_util == Approx(0.8).epsilon(0.01));
  CHECK(run.r.databases.at(0).utilization == Approx(0.8).epsilon(0.01));
}

TEST_CASE("a pod's pool of 4 connections waits as an M/M/4 queue (Erlang C)", "[validation]") {
  const Run run = simulate({"sites.dc.database.pool=4", "sites.dc.database.cores=10000"});
  const models::DatabaseUse& u = *run.r.database_use.at(0);
  const double p_wait = queueing::erlang_c(4, 3.2);  // 0.5964
  const double wq = p_wait / (4 * 100.0 - 320);      // 7.455 ms
  const double waited = static_cast<double>(u.waits) / static_cast<double>(u.queries);
  const double mean_wait = u.wait_ns * 1e-9 / static_cast<double>(u.queries);
  INFO("P(wait) " << waited << " against " << p_wait << "; mean wait " << mean_wait << " against "
                  << wq);
  CHECK(u.queries > 2'000'000);
  CHECK(waited == Approx(p_wait).epsilon(0.01));
  CHECK(mean_wait == Approx(wq).epsilon(0.03));
  // Connection held = the query alone (no contention, no round trip): 10 ms.
  CHECK(run.query.contains(0.010));
  CHECK(run.rt.contains(queueing::mmc_mean_response(320, 100, 4) + 1e-6));
  CHECK(u.peak_in_use == 4);
  CHECK(u.timeouts == 0);
}
