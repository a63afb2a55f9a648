// report/stats.h: confidence intervals for simulation output.
//
// mean_ci: Student-t interval of the mean of independent observations (replications, or batch
// means of one long run). ratio_ci: the batch-means interval of a ratio estimator such as a mean
// response time sum(rt) / sum(completions) over batches of unequal size (delta method).
// bounded_mean_ci: the same mean, with an interval that stays within the quantity's bounds.
#pragma once

#include <cmath>
#include <limits>
#include <span>

namespace report::stats {

struct Interval {
  double mean = 0;
  // NaN when there are fewer than 2 observations. For an interval that is not symmetric, the
  // larger distance from the mean to an end.
  double half_width = 0;
  int n = 0;
  // The ends when they are not mean -+ half_width (NaN otherwise).
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
  double lo() const { return std::isnan(low) ? mean - half_width : low; }
  double hi() const { return std::isnan(high) ? mean + half_width : high; }
  bool symmetric() const { return std::isnan(low); }
  bool contains(double x) const { return x >= lo() && x <= hi(); }
};

// What values a quantity can take.
enum class Bound {
  kNone,
  kNonNegative,  // [0, inf): the Student-t interval, its lower end cut at 0
  kFraction,     // [0, scale]: a Student-t interval of the empirical logits, mapped back
};

// Quantile p of Student's t distribution with df degrees of freedom.
double student_t_quantile(double p, double df);
// P(|T| >= |t|) for T of Student's t distribution with df degrees of freedom: the two-sided
// p-value of a t statistic.
double student_t_two_sided_p(double t, double df);

Interval mean_ci(std::span<const double> xs, double level = 0.95);

// The mean of `xs` with an interval within `bound`. For kFraction, xs are fractions times
// `scale` (100 for a percentage) and trials[i] the number of trials behind xs[i] (requests
// judged in that replication): each becomes the empirical logit log((k + 1/2) / (n - k + 1/2))
// with k = n x (Cox 1970), so that replications at exactly 0 or 1 stay finite; the t interval of
// their mean is mapped back with the logistic function and widened, if need be, to hold the
// mean. Without trials (or n = 0) a fraction is clamped to [1e-9, 1 - 1e-9] first.
Interval bounded_mean_ci(std::span<const double> xs, Bound bound, double scale = 1,
                         std::span<const double> trials = {}, double level = 0.95);

// REQUIRES: sums.size() == counts.size(); every count > 0.
Interval ratio_ci(std::span<const double> sums, std::span<const double> counts,
                  double level = 0.95);

}  // namespace report::stats
