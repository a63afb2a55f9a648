// report/stats.h: confidence intervals for simulation output.
//
// mean_ci: Student-t interval of the mean of independent observations (replications, or batch
// means of one long run). ratio_ci: the batch-means interval of a ratio estimator such as a mean
// response time sum(rt) / sum(completions) over batches of unequal size (delta method).
#pragma once

#include <span>

namespace report::stats {

struct Interval {
  double mean = 0;
  double half_width = 0;  // NaN when there are fewer than 2 observations
  int n = 0;
  double lo() const { return mean - half_width; }
  double hi() const { return mean + half_width; }
  bool contains(double x) const { return x >= lo() && x <= hi(); }
};

// Quantile p of Student's t distribution with df degrees of freedom.
double student_t_quantile(double p, double df);

Interval mean_ci(std::span<const double> xs, double level = 0.95);

// REQUIRES: sums.size() == counts.size(); every count > 0.
Interval ratio_ci(std::span<const double> sums, std::span<const double> counts,
                  double level = 0.95);

}  // namespace report::stats
