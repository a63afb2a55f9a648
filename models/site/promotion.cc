#include "models/site/promotion.h"

#include <cmath>
#include <cstdio>

namespace models {

namespace {
constexpr const char* kComponent = "promotion";

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", x * 100);
  return buf;
}
std::string millis(double ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ns * 1e-6);
  return buf;
}
}  // namespace

Promotion::Promotion(sim::Simulator& sim, const PromotionAnalysis& analysis, Site& from, Site& to,
                     const RolloutStrategy& strategy, sim::Recorder& rec)
    : sim_(sim), cfg_(analysis), from_(from), to_(to), strategy_(strategy), rec_(rec) {}

void Promotion::begin() {
  image_ = from_.deployment().image();
  state_ = State::kWaiting;
  rec_.event(sim_.now(), kComponent, "rollout",
             "promotion of " + image_.name + " from " + from_.name() + " to " + to_.name() +
                 ": the analysis waits for " + from_.name() + " to run it on every pod",
             sim::EventDetails().add("image", image_.name).add("from", from_.name()));
}

void Promotion::restart(sim::SimTime at) {
  state_ = State::kAnalysing;
  window_start_ = at;
  passed_ = failed_ = 0;
  completed_ = errors_ = satisfied_ = tolerating_ = 0;
  rt_.clear();
  rec_.event(at, kComponent, "rollout",
             "analysis of " + image_.name + " on " + from_.name() +
                 " started: " + std::to_string(cfg_.iterations) + " passing checks of " +
                 sim::format_duration(cfg_.interval) + " promote it",
             sim::EventDetails().add("image", image_.name).add("from", from_.name()));
}

void Promotion::on_site_bucket(sim::SimTime /*start*/, sim::SimTime end, const SiteBucket& b) {
  if (state_ == State::kIdle || state_ == State::kPromoted || state_ == State::kHalted) return;
  const Deployment& d = from_.deployment();
  if (d.image().name != image_.name) {  // staging moved on to another release: start over
    image_ = d.image();
    state_ = State::kWaiting;
    rec_.event(end, kComponent, "rollout",
               from_.name() + " is rolling out " + image_.name +
                   ": the analysis waits for it and starts over",
               sim::EventDetails().add("image", image_.name).add("from", from_.name()));
  }
  if (state_ == State::kWaiting) {
    if (!d.rollout_in_progress()) restart(end);
    return;
  }
  completed_ += b.completed;
  errors_ += b.failed;
  satisfied_ += b.satisfied;
  tolerating_ += b.tolerating;
  if (b.rt != nullptr) rt_.merge(*b.rt);
  if (end - window_start_ >= cfg_.interval) check(end);
}

void Promotion::check(sim::SimTime end) {
  const uint64_t judged = completed_ + errors_;
  std::string why;
  std::string figures;
  if (judged == 0) {
    why = "no requests";
  } else {
    const double err = static_cast<double>(errors_) / static_cast<double>(judged);
    const double apdex =
        (static_cast<double>(satisfied_) + 0.5 * static_cast<double>(tolerating_)) /
        static_cast<double>(judged);
    const double p99 = completed_ > 0 ? rt_.quantile(0.99) : NAN;
    figures = "errors " + percent(err);
    if (!cfg_.rt_p99_max.is_max()) figures += ", p99 " + (completed_ > 0 ? millis(p99) : "none");
    if (cfg_.apdex_min >= 0) figures += ", Apdex " + percent(apdex);
    if (err > cfg_.error_rate_max) why = "errors above " + percent(cfg_.error_rate_max);
    if (!cfg_.rt_p99_max.is_max() &&
        (completed_ == 0 || p99 > static_cast<double>(cfg_.rt_p99_max.ns())))
      why += (why.empty() ? "" : ", ") + std::string("p99 above ") +
             millis(static_cast<double>(cfg_.rt_p99_max.ns()));
    if (cfg_.apdex_min >= 0 && apdex < cfg_.apdex_min)
      why += (why.empty() ? "" : ", ") + std::string("Apdex below ") + percent(cfg_.apdex_min);
  }
  const bool pass = why.empty();
  (pass ? passed_ : failed_) += 1;
  const std::string head =
      "check of " + image_.name + " on " + from_.name() + " " +
      (pass ? "passed (" + std::to_string(passed_) + "/" + std::to_string(cfg_.iterations) + ")"
            : "failed (" + std::to_string(failed_) + "/" + std::to_string(cfg_.threshold) + ")");
  rec_.event(end, kComponent, "rollout",
             head + (figures.empty() ? "" : ": " + figures) + (pass ? "" : "; " + why),
             sim::EventDetails()
                 .add("image", image_.name)
                 .add("passed", pass)
                 .add("requests", static_cast<double>(judged)));
  window_start_ = end;
  completed_ = errors_ = satisfied_ = tolerating_ = 0;
  rt_.clear();
  if (passed_ >= cfg_.iterations) {
    state_ = State::kPromoted;
    const bool has = to_.deployment().image().name == image_.name;
    rec_.event(end, kComponent, "rollout",
               image_.name + " passed on " + from_.name() +
                   (has ? ": " + to_.name() + " already runs it" : ": promoted to " + to_.name()),
               sim::EventDetails().add("image", image_.name).add("to", to_.name()));
    if (!has) to_.deployment().rollout(image_, strategy_);
  } else if (failed_ >= cfg_.threshold) {
    state_ = State::kHalted;
    rec_.event(end, kComponent, "rollout",
               "promotion of " + image_.name + " halted after " + std::to_string(failed_) +
                   " failed checks: " + to_.name() + " keeps its release",
               sim::EventDetails().add("image", image_.name).add("to", to_.name()));
  }
}

}  // namespace models
