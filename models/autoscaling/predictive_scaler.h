// models/autoscaling/predictive_scaler.h: a predictive scaler that provisions ahead of demand.
//
// Every `period` (15 s) it fits the site's recent arrival rate (the metrics pipeline's 1-minute
// rates over the last `history`, 10 min, each placed at the middle of its window) and forecasts
// it `lead` ahead: by default the observed
// pod start latency (creation to Ready) plus one period, so pods ordered now are ready when the
// load arrives. Models: `linear` (least squares on a + b t, with Eigen) or `holt` (double
// exponential smoothing, alpha, beta). The CPU a request needs is measured (CPU used per
// completed request); desired = ceil(max(forecast, current rate) x CPU per request /
// (pod cores x target utilization)). Scale-down waits until the desire has stayed lower for
// `scale_down_stabilization` (5 min), like the HPA's window.
#pragma once

#include <deque>
#include <string>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"

namespace models {

struct PredictiveConfig {
  std::string model = "linear";  // linear | holt
  sim::SimTime history = sim::minutes(10);
  sim::SimTime period = sim::seconds(15);
  double target_utilization = 0.6;
  sim::SimTime lead;  // 0 = observed start latency + one period
  double alpha = 0.5, beta = 0.3;
  sim::SimTime scale_down_stabilization = sim::minutes(5);
  int32_t min_replicas = 1;
  int32_t max_replicas = 10;
};

class PredictiveScaler final : public Autoscaler {
 public:
  PredictiveScaler(sim::Simulator& sim, const PredictiveConfig& cfg, sim::SimTime phase,
                   double pod_cores, ScalableTarget& target, const MetricsPipeline& metrics,
                   sim::Recorder& rec);
  void start() override;
  const char* kind() const override { return policy_.kind; }

  // The forecast of `points` (time in seconds, value) `ahead` seconds after the last point.
  static double forecast_linear(const std::deque<std::pair<double, double>>& points, double ahead);
  static double forecast_holt(const std::deque<std::pair<double, double>>& points, double ahead,
                              double alpha, double beta);

 private:
  void evaluate();
  PeriodicPolicy policy_;
  PredictiveConfig cfg_;
  sim::SimTime phase_;
  double pod_cores_;
  const MetricsPipeline& metrics_;
  std::deque<std::pair<sim::SimTime, int32_t>> desires_;  // for scale-down stabilization
  WorkloadSignals last_;
  double cpu_per_request_s_ = 0;
};

}  // namespace models
