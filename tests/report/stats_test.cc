// report/stats.h: the confidence intervals the report prints.
#include "report/stats.h"

#include <catch2/catch.hpp>

#include <vector>

using report::stats::Bound;
using report::stats::bounded_mean_ci;
using report::stats::mean_ci;

TEST_CASE("Student t interval of a mean: known quantiles and a textbook case") {
  CHECK(report::stats::student_t_quantile(0.975, 4) == Approx(2.776445).epsilon(1e-6));
  const std::vector<double> xs{1, 2, 3, 4, 5};
  const auto ci = mean_ci(xs);
  CHECK(ci.mean == 3);
  CHECK(ci.half_width == Approx(2.776445 * std::sqrt(2.5) / std::sqrt(5.0)));
  CHECK(ci.symmetric());
}

TEST_CASE("Bounded intervals stay within their bounds and hold the mean") {
  // Error rates (percent) of five replications, one with no error at all: a plain t interval
  // would reach below 0.
  const std::vector<double> errors{0.0, 0.02, 0.01, 0.05, 0.0};
  const std::vector<double> judged(5, 20000);
  const auto plain = mean_ci(errors);
  REQUIRE(plain.lo() < 0);
  const auto b = bounded_mean_ci(errors, Bound::kFraction, 100, judged);
  CHECK(b.mean == Approx(plain.mean));
  CHECK(b.lo() >= 0);
  CHECK(b.hi() <= 100);
  CHECK(b.lo() <= b.mean);
  CHECK(b.hi() >= b.mean);
  CHECK_FALSE(b.symmetric());
  // Every replication perfect: a degenerate interval at the bound, not NaN.
  const std::vector<double> ones(4, 1.0);
  const auto apdex = bounded_mean_ci(ones, Bound::kFraction, 1, std::vector<double>(4, 5000));
  CHECK(apdex.mean == 1);
  CHECK(apdex.hi() <= 1);
  CHECK(apdex.lo() >= 0.999);
  // Apdex near 1 with spread: the upper end stays below 1.
  const std::vector<double> near_one{0.999, 0.98, 0.995, 0.97};
  const auto a = bounded_mean_ci(near_one, Bound::kFraction, 1, std::vector<double>(4, 5000));
  CHECK(a.hi() < 1);
  CHECK(mean_ci(near_one).hi() > 1);  // what the plain interval said
  // A non-negative quantity (an RPO of 0 in most runs) is cut at 0; far from 0 it is symmetric.
  const std::vector<double> rpo{0, 0, 2.5, 0};
  const auto r = bounded_mean_ci(rpo, Bound::kNonNegative);
  CHECK(r.lo() == 0);
  CHECK(r.hi() == Approx(mean_ci(rpo).hi()));
  const std::vector<double> cost{10, 11, 10.5};
  CHECK(bounded_mean_ci(cost, Bound::kNonNegative).symmetric());
}
