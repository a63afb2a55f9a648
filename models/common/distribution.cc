#include "models/common/distribution.h"

#include <cmath>

#include "models/common/text.h"
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
  const double m = mean() - offset_;
  std::string s;
  switch (kind_) {
    case Kind::kConstant:
      s = "constant(" + general(a_) + ")";
      break;
    case Kind::kExponential:
      s = "exponential(mean " + general(a_) + ")";
      break;
    case Kind::kLognormal:
      s = "lognormal(median " + general(std::exp(a_)) + ", sigma " + general(b_) + ", mean " +
          general(m) + ")";
      break;
    case Kind::kGamma:
      s = "gamma(shape " + general(a_) + ", scale " + general(b_) + ", mean " + general(m) + ")";
      break;
    case Kind::kUniform:
      s = "uniform(" + general(a_) + ", " + general(b_) + ")";
      break;
  }
  if (offset_ != 0) s = general(offset_) + " + " + s;
  return s;
}

}  // namespace models
