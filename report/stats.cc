#include "report/stats.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace report::stats {

double student_t_quantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double student_t_two_sided_p(double t, double df) {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0;
  return 2 * boost::math::cdf(boost::math::complement(
                 boost::math::students_t_distribution<double>(df), std::fabs(t)));
}

Interval mean_ci(std::span<const double> xs, double level) {
  Interval r;
  r.n = static_cast<int>(xs.size());
  if (xs.empty()) {
    r.mean = r.half_width = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double sum = 0;
  for (double x : xs) sum += x;
  r.mean = sum / static_cast<double>(xs.size());
  if (xs.size() < 2) {
    r.half_width = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double ss = 0;
  for (double x : xs) ss += (x - r.mean) * (x - r.mean);
  const double n = static_cast<double>(xs.size());
  const double sd = std::sqrt(ss / (n - 1));
  r.half_width = student_t_quantile(0.5 + level / 2, n - 1) * sd / std::sqrt(n);
  return r;
}

Interval bounded_mean_ci(std::span<const double> xs, Bound bound, double scale,
                         std::span<const double> trials, double level) {
  Interval r = mean_ci(xs, level);
  if (bound == Bound::kNone || r.n < 2 || std::isnan(r.half_width)) return r;
  if (bound == Bound::kNonNegative) {
    if (r.mean - r.half_width < 0) {
      r.low = 0;
      r.high = r.mean + r.half_width;
    }
    return r;
  }
  std::vector<double> logits;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double p = std::clamp(xs[i] / scale, 0.0, 1.0);
    const double n = i < trials.size() ? trials[i] : 0;
    if (n > 0) {
      logits.push_back(std::log((p * n + 0.5) / ((1 - p) * n + 0.5)));
    } else {
      const double q = std::clamp(p, 1e-9, 1 - 1e-9);
      logits.push_back(std::log(q / (1 - q)));
    }
  }
  const Interval l = mean_ci(logits, level);
  const auto logistic = [](double x) { return 1 / (1 + std::exp(-x)); };
  r.low = std::min(r.mean, scale * logistic(l.mean - l.half_width));
  r.high = std::max(r.mean, scale * logistic(l.mean + l.half_width));
  r.half_width = std::max(r.mean - r.low, r.high - r.mean);
  return r;
}

Interval ratio_ci(std::span<const double> sums, std::span<const double> counts, double level) {
  Interval r;
  r.n = static_cast<int>(sums.size());
  double s = 0, c = 0;
  for (std::size_t i = 0; i < sums.size(); ++i) {
    s += sums[i];
    c += counts[i];
  }
  r.mean = s / c;
  if (sums.size() < 2) {
    r.half_width = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  const double k = static_cast<double>(sums.size());
  const double cbar = c / k;
  double ss = 0;
  for (std::size_t i = 0; i < sums.size(); ++i) {
    const double d = sums[i] - r.mean * counts[i];
    ss += d * d;
  }
  const double se = std::sqrt(ss / (k - 1) / k) / cbar;
  r.half_width = student_t_quantile(0.5 + level / 2, k - 1) * se;
  return r;
}

}  // namespace report::stats
