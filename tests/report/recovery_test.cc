// RTO, RPO and lost writes across replications (report/aggregate.h Spread): nearest-rank
// percentiles and the mean's interval against a direct computation from the per-run values, and
// runs whose incident never recovered ranking last.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "report/aggregate.h"

using namespace report;

namespace {

double nearest_rank(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  const auto k = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(xs.size())));
  return xs[std::max<std::size_t>(k, 1) - 1];
}

RunFigures run(int64_t id, double rto, double rpo, double lost, bool unrecovered = false) {
  RunFigures r;
  r.run_id = id;
  r.config = 0;
  r.label = "c";
  r.values.assign(metrics().size(), std::numeric_limits<double>::quiet_NaN());
  r.values[metric_index("rto_s")] = rto;
  r.values[metric_index("rpo_s")] = rpo;
  r.lost_writes = lost;
  r.unrecovered = unrecovered;
  return r;
}

}  // namespace

TEST_CASE("recovery spread: percentiles and mean as computed directly from the runs") {
  std::vector<double> rto;
  std::vector<RunFigures> runs;
  for (int i = 0; i < 23; ++i) {
    const double v = 300 + 37.0 * ((i * 7) % 23);  // 23 distinct values, shuffled
    rto.push_back(v);
    runs.push_back(run(i + 1, v, 0.5 * i, 10.0 * (i % 5)));
  }
  const std::vector<Configuration> configs = aggregate(runs, "apdex");
  REQUIRE(configs.size() == 1);
  const Spread& s = configs[0].rto;
  CHECK(s.runs == 23);
  CHECK(s.unrecovered == 0);
  CHECK(s.p50 == nearest_rank(rto, 50));
  CHECK(s.p90 == nearest_rank(rto, 90));
  CHECK(s.p99 == nearest_rank(rto, 99));
  CHECK(s.p99 == *std::max_element(rto.begin(), rto.end()));
  double mean = 0;
  for (double v : rto) mean += v;
  CHECK(s.mean.mean == Approx(mean / 23));
  CHECK(configs[0].lost_writes.p50 == 20);  // 0 x5, 10 x5, 20 x5, 30 x4, 40 x4: the 12th is 20
  CHECK(configs[0].rpo.p90 == nearest_rank(
                                  [] {
                                    std::vector<double> v;
                                    for (int i = 0; i < 23; ++i) v.push_back(0.5 * i);
                                    return v;
                                  }(),
                                  90));
}

TEST_CASE("recovery spread: runs that never recovered rank above every RTO") {
  std::vector<double> rto{100, 200, 300, 400, 500, 600, 700, 800};
  const Spread s = spread(rto, 2);  // ten runs, two never recovered
  CHECK(s.runs == 8);
  CHECK(s.unrecovered == 2);
  CHECK(s.p50 == 500);                // the 5th of ten
  CHECK(std::isinf(s.p90));           // the 9th of ten: a run that never recovered
  CHECK(s.mean.mean == Approx(450));  // over the runs with a value
  const Spread none = spread({}, 0);
  CHECK_FALSE(none.present());
}
