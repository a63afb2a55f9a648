// models/site/promotion.h: promoting a release from a staging site to production once an
// analysis of the staging site's requests passes.
//
// After Flagger's analysis (https://docs.flagger.app/usage/how-it-works and
// https://docs.flagger.app/usage/deployment-strategies): every `interval` the staging site's
// requests of that interval are checked against the limits (error rate, p99 response time,
// Apdex); an interval without a request fails, as Flagger fails a check that finds no metric
// values. After `iterations` passing checks the release goes to the production site as a rolling
// update; after `threshold` failed checks the promotion is halted and production keeps its
// release. The analysis starts once the staging site runs the release on every pod (its rollout
// complete); if staging starts another rollout meanwhile, the analysis starts over for the new
// release (Flagger restarts when the revision changes). Every check and the outcome go to the
// event log (component "promotion", kind "rollout").
#pragma once

#include <string>

#include "models/metrics/log_histogram.h"
#include "models/metrics/metrics_collector.h"
#include "models/site/site.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

struct PromotionAnalysis {
  sim::SimTime interval = sim::minutes(1);
  int iterations = 5;  // passing checks to promote
  int threshold = 2;   // failed checks to halt
  double error_rate_max = 0.01;
  sim::SimTime rt_p99_max = sim::milliseconds(500);  // SimTime::max(): not checked
  double apdex_min = -1;                             // < 0: not checked
};

class Promotion final : public SiteBucketListener {
 public:
  enum class State { kIdle, kWaiting, kAnalysing, kPromoted, kHalted };

  Promotion(sim::Simulator& sim, const PromotionAnalysis& analysis, Site& from, Site& to,
            const RolloutStrategy& strategy, sim::Recorder& rec);
  Promotion(const Promotion&) = delete;
  Promotion& operator=(const Promotion&) = delete;

  // The promotion starts (its event's time): it takes the release the staging site runs or is
  // rolling out now, and waits for its rollout there to complete.
  void begin();
  void on_site_bucket(sim::SimTime start, sim::SimTime end, const SiteBucket& b) override;

  State state() const { return state_; }
  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  void check(sim::SimTime end);
  void restart(sim::SimTime at);

  sim::Simulator& sim_;
  PromotionAnalysis cfg_;
  Site& from_;
  Site& to_;
  RolloutStrategy strategy_;
  sim::Recorder& rec_;
  ImageSpec image_;
  State state_ = State::kIdle;
  sim::SimTime window_start_;
  int passed_ = 0, failed_ = 0;
  uint64_t completed_ = 0, errors_ = 0, satisfied_ = 0, tolerating_ = 0;
  LogHistogram rt_;
};

}  // namespace models
