#include "models/gslb/weighted_split.h"

#include "sim/assert.h"

namespace models {

WeightedSplit::WeightedSplit(sim::RngStream rng, std::vector<double> weights)
    : rng_(std::move(rng)) {
  set_weights(weights);
}

void WeightedSplit::set_weights(const std::vector<double>& weights) {
  double sum = 0;
  int positive = 0;
  for (double w : weights) {
    SIM_ASSERT(w >= 0, "weights must not be negative");
    sum += w;
    if (w > 0) ++positive;
  }
  SIM_ASSERT(sum > 0, "weights must have a positive sum");
  weights_ = weights;
  cumulative_.clear();
  double acc = 0;
  for (double w : weights_) {
    acc += w / sum;
    cumulative_.push_back(acc);
  }
  cumulative_.back() = 1.0;
  only_ = kNoSite;
  if (positive == 1) {
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (weights_[i] > 0) only_ = static_cast<int>(i);
    }
  }
}

SiteAnswer WeightedSplit::select(const ClientContext& /*client*/) {
  // One site with weight: no draw, so a single-site scenario spends no random numbers here.
  if (only_ != kNoSite) return {only_, false};
  const double u = rng_.uniform01();
  for (std::size_t i = 0; i + 1 < cumulative_.size(); ++i) {
    if (u < cumulative_[i]) return {static_cast<int>(i), false};
  }
  return {static_cast<int>(cumulative_.size() - 1), false};
}

void record_weights(sim::Recorder& rec, sim::SimTime t, std::string_view kind,
                    const std::vector<std::string>& names, const std::vector<double>& weights) {
  std::string text;
  sim::EventDetails details;
  details.begin_object("weights");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double w = i < weights.size() ? weights[i] : 0.0;
    text += (i ? ", " : "") + names[i] + " " + std::to_string(static_cast<int>(w));
    details.add(names[i], w);
  }
  details.end();
  rec.event(t, "gslb", kind, "weights set: " + text, details);
}

}  // namespace models
