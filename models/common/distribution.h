// models/common/distribution.h: the random variables a scenario describes with `dist:`
// (request CPU demand, think times, boot and provisioning delays).
//
// Values are in the natural unit of the quantity (seconds for durations); the scenario loader
// converts units. A Distribution is a small value type; sampling draws from the caller's stream,
// so the same distribution can serve several components without sharing random numbers.
//
//   constant     value
//   exponential  mean
//   lognormal    (mean, cv) or (median, sigma)    sigma is the std-dev of log(X)
//   gamma        (mean, cv) or (shape, scale)
//   uniform      [min, max)
// Every kind takes an optional offset added to each sample (e.g. node provisioning:
// 45 s + lognormal).
#pragma once

#include <cmath>
#include <string>

#include "sim/rng.h"

namespace models {

class Distribution {
 public:
  enum class Kind { kConstant, kExponential, kLognormal, kGamma, kUniform };

  static Distribution constant(double value);
  static Distribution exponential(double mean);
  static Distribution lognormal_mean_cv(double mean, double cv);
  static Distribution lognormal_median_sigma(double median, double sigma);
  static Distribution gamma_mean_cv(double mean, double cv);
  static Distribution gamma_shape_scale(double shape, double scale);
  static Distribution uniform(double min, double max);
  Distribution with_offset(double offset) const;

  Distribution() = default;  // constant 0

  double sample(sim::RngStream& rng) const {
    switch (kind_) {
      case Kind::kConstant:
        return offset_ + a_;
      case Kind::kExponential:
        return offset_ + rng.exponential_mean(a_);
      case Kind::kLognormal:
        return offset_ + std::exp(rng.normal(a_, b_));
      case Kind::kGamma:
        return offset_ + rng.gamma(a_, b_);
      case Kind::kUniform:
        return offset_ + a_ + (b_ - a_) * rng.uniform01();
    }
    return offset_;
  }

  Kind kind() const { return kind_; }
  double mean() const;
  // Squared coefficient of variation of the random part (without the offset).
  double scv() const;
  // A short description, e.g. "lognormal(mean 40ms, cv 1)".
  std::string describe() const;

 private:
  Distribution(Kind k, double a, double b) : kind_(k), a_(a), b_(b) {}
  Kind kind_ = Kind::kConstant;
  double a_ = 0;  // constant: value; exponential: mean; lognormal: mu; gamma: shape; uniform: min
  double b_ = 0;  // lognormal: sigma; gamma: scale; uniform: max
  double offset_ = 0;
};

}  // namespace models
