// models/gslb/weighted_split.h: per-request weighted choice of a site.
//
// Each request goes to site i with probability w_i / sum(w): an exact split per request (no DNS
// caching). Weights can change during a run (an operator action). Draws one uniform number per
// request from its own stream.
#pragma once

#include <vector>

#include "models/common/request.h"
#include "models/gslb/site_selector.h"
#include "sim/rng.h"

namespace models {

class WeightedSplit final : public SiteSelector {
 public:
  // REQUIRES: weights >= 0 with a positive sum.
  WeightedSplit(sim::RngStream rng, std::vector<double> weights);
  SiteAnswer select(const ClientContext& client) override;
  void set_weights(const std::vector<double>& weights) override;
  const std::vector<double>& weights() const { return weights_; }

 private:
  sim::RngStream rng_;
  std::vector<double> weights_;
  std::vector<double> cumulative_;  // normalised, last = 1
  int only_ = kNoSite;              // the single site with weight, when there is one
};

}  // namespace models
