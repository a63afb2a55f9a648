#include "models/autoscaling/predictive_scaler.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace models {

PredictiveScaler::PredictiveScaler(sim::Simulator& sim, const PredictiveConfig& cfg,
                                   sim::SimTime phase, double pod_cores, ScalableTarget& target,
                                   const MetricsPipeline& metrics, sim::Recorder& rec)
    : policy_(sim, target, rec, "predictive"),
      cfg_(cfg),
      phase_(phase),
      pod_cores_(pod_cores),
      metrics_(metrics) {}

void PredictiveScaler::start() {
  policy_.every(phase_ + cfg_.period, cfg_.period, [this] { evaluate(); });
}

double PredictiveScaler::forecast_linear(const std::deque<std::pair<double, double>>& points,
                                         double ahead) {
  const Eigen::Index n = static_cast<Eigen::Index>(points.size());
  if (n == 0) return 0;
  if (n == 1) return points.front().second;
  // Least squares on value = a + b (t - t_last): the intercept is the fitted value now.
  const double t_last = points.back().first;
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = 1.0;
    x(i, 1) = points[static_cast<std::size_t>(i)].first - t_last;
    y(i) = points[static_cast<std::size_t>(i)].second;
  }
  const Eigen::Vector2d coef = x.colPivHouseholderQr().solve(y);
  return coef(0) + coef(1) * ahead;
}

double PredictiveScaler::forecast_holt(const std::deque<std::pair<double, double>>& points,
                                       double ahead, double alpha, double beta) {
  if (points.empty()) return 0;
  if (points.size() == 1) return points.front().second;
  // Double exponential smoothing on evenly spaced samples; the trend is per sample.
  const double step =
      (points.back().first - points.front().first) / static_cast<double>(points.size() - 1);
  double level = points[0].second;
  double trend = points[1].second - points[0].second;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const double prev = level;
    level = alpha * points[i].second + (1 - alpha) * (level + trend);
    trend = beta * (level - prev) + (1 - beta) * trend;
  }
  return level + trend * (step > 0 ? ahead / step : 0);
}

void PredictiveScaler::evaluate() {
  if (!policy_.target.control_plane_up()) return;  // runs in the cluster
  const sim::SimTime now = policy_.sim.now();
  // CPU per request, measured over the last period (kept when nothing completed).
  const WorkloadSignals s = policy_.target.signals();
  if (s.completed > last_.completed) {
    cpu_per_request_s_ = (s.demand_core_ns - last_.demand_core_ns) /
                         static_cast<double>(s.completed - last_.completed) * 1e-9;
  }
  last_ = s;
  const auto& hist = metrics_.rate_history();
  // A rate averaged over [t - window, t] describes the middle of its window.
  const double half_window = metrics_.config().custom_window.seconds() / 2;
  std::deque<std::pair<double, double>> points;
  for (const auto& [t, rate] : hist) {
    if (t >= now - cfg_.history) points.push_back({t.seconds() - half_window, rate});
  }
  if (points.empty() || cpu_per_request_s_ <= 0) return;
  const sim::SimTime lead = cfg_.lead > sim::SimTime::zero()
                                ? cfg_.lead
                                : policy_.target.observed_start_latency() + cfg_.period;
  const double ahead =
      (now - sim::SimTime::from_seconds(points.back().first)).seconds() + lead.seconds();
  const double forecast = cfg_.model == "holt" ? forecast_holt(points, ahead, cfg_.alpha, cfg_.beta)
                                               : forecast_linear(points, ahead);
  const double rate = std::max({forecast, points.back().second, 0.0});
  const int32_t want = static_cast<int32_t>(
      std::ceil(rate * cpu_per_request_s_ / (pod_cores_ * cfg_.target_utilization) - 1e-9));
  policy_.sample("forecast_rps", forecast);
  // Scale-down stabilization: the highest desire of the window.
  desires_.push_back({now, want});
  while (!desires_.empty() && desires_.front().first < now - cfg_.scale_down_stabilization)
    desires_.pop_front();
  int32_t desired = want;
  const int32_t current = policy_.target.spec_replicas();
  if (want < current) {
    for (const auto& d : desires_) desired = std::max(desired, d.second);
    desired = std::min(desired, current);
  }
  sim::EventDetails details;
  details.add("rate_rps", points.back().second).add("forecast_rps", forecast);
  details.add("lead_s", lead.seconds()).add("cpu_per_request_s", cpu_per_request_s_);
  details.add("want", want);
  policy_.decide(desired, cfg_.min_replicas, cfg_.max_replicas,
                 forecast > points.back().second ? "forecast rate ahead of now" : "current rate",
                 details);
}

}  // namespace models
