#include "models/common/distribution.h"

#include <cmath>
#include <cstdio>

#include "sim/assert.h"

namespace models {

Distribution Distribution::constant(double value) { return {Kind::kConstant, value, 0}; }

Distribution Distribution::exponential(double mean) {
  SIM_ASSERT(mean > 0, "exponential mean must be positive");
  return {Kind::kExponential, mean, 0};
}

Distribution Distribution::lognormal_mean_cv(double mean, double cv) {
  SIM_ASSERT(mean > 0 && cv > 0, "lognormal mean and cv must be positive");
  const double s2 = std::log1p(cv * cv);
  return {Kind::kLognormal, std::log(mean) - 0.5 * s2, std::sqrt(s2)};
}

Distribution Distribution::lognormal_median_sigma(double median, double sigma) {
  SIM_ASSERT(median > 0 && sigma > 0, "lognormal median and sigma must be positive");
  return {Kind::kLognormal, std::log(median), sigma};
}

Distribution Distribution::gamma_mean_cv(double mean, double cv) {
  SIM_ASSERT(mean > 0 && cv > 0, "gamma mean and cv must be positive");
  const double shape = 1.0 / (cv * cv);
  return {Kind::kGamma, shape, mean / shape};
}

Distribution Distribution::gamma_shape_scale(double shape, double scale) {
  SIM_ASSERT(shape > 0 && scale > 0, "gamma shape and scale must be positive");
  return {Kind::kGamma, shape, scale};
}

Distribution Distribution::uniform(double min, double max) {
  SIM_ASSERT(min <= max, "uniform min must not exceed max");
  return {Kind::kUniform, min, max};
}

Distribution Distribution::with_offset(double offset) const {
  Distribution d = *this;
  d.offset_ = offset;
  return d;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::kConstant:
      return offset_ + a_;
    case Kind::kExponential:
      return offset_ + a_;
    case Kind::kLognormal:
      return offset_ + std::exp(a_ + 0.5 * b_ * b_);
    case Kind::kGamma:
      return offset_ + a_ * b_;
    case Kind::kUniform:
      return offset_ + 0.5 * (a_ + b_);
  }
  return offset_;
}

double Distribution::scv() const {
  switch (kind_) {
    case Kind::kConstant:
      return 0;
    case Kind::kExponential:
      return 1;
    case Kind::kLognormal:
      return std::expm1(b_ * b_);
    case Kind::kGamma:
      return 1.0 / a_;
    case Kind::kUniform: {
      const double m = 0.5 * (a_ + b_);
      return m == 0 ? 0 : (b_ - a_) * (b_ - a_) / 12.0 / (m * m);
    }
  }
  return 0;
}

std::string Distribution::describe() const {
  char buf[160];
  const double m = mean() - offset_;
  switch (kind_) {
    case Kind::kConstant:
      std::snprintf(buf, sizeof buf, "constant(%g)", a_);
      break;
    case Kind::kExponential:
      std::snprintf(buf, sizeof buf, "exponential(mean %g)", a_);
      break;
    case Kind::kLognormal:
      std::snprintf(buf, sizeof buf, "lognormal(median %g, sigma %g, mean %g)", std::exp(a_), b_,
                    m);
      break;
    case Kind::kGamma:
      std::snprintf(buf, sizeof buf, "gamma(shape %g, scale %g, mean %g)", a_, b_, m);
      break;
    case Kind::kUniform:
      std::snprintf(buf, sizeof buf, "uniform(%g, %g)", a_, b_);
      break;
  }
  std::string s = buf;
  if (offset_ != 0) s = std::to_string(offset_) + " + " + s;
  return s;
}

}  // namespace models
