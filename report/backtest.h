// report/backtest.h: a scaling policy against what really happened. A site with `observed:`
// series (its real replicas and CPU utilisation, recorded as samples of observed/<site>) is
// compared with the simulation over the run:
//  - replicas: at each observed point, the simulated deployment's desired replicas at that
//    moment (exact: from the deployment's replica changes in the event log); the mean absolute
//    error and the mean signed error (simulated - observed);
//  - the first scale-up: the first observed point above the one before it, and the simulated
//    deployment's first increase; lag = simulated - observed (positive: the policy scaled up
//    later than the real system). A small early step can decide it, so also:
//  - the peak: when the observed replicas first reached their highest value, and when the
//    simulated desired replicas first reached as many (never: the policy did not go as high);
//  - CPU: each observed point k against the simulated utilisation averaged over the buckets
//    since point k - 1 (a rate over the step, as Prometheus's rate() gives it); mean absolute
//    error in percentage points.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/results_reader.h"

namespace report {

struct SiteBacktest {
  std::string site;
  int replica_points = 0;
  double replicas_mae = 0, replicas_bias = 0;
  std::optional<double> observed_first_up_s, simulated_first_up_s;
  double observed_peak = 0;
  std::optional<double> observed_peak_s, simulated_peak_s;
  int cpu_points = 0;
  double cpu_mae_pp = 0, cpu_bias_pp = 0;  // percentage points
  // The series compared, for charts: (seconds, value).
  std::vector<std::pair<double, double>> observed_replicas, simulated_replicas;
  std::vector<std::pair<double, double>> observed_cpu, simulated_cpu;
  std::optional<double> lag_s() const {
    if (!observed_first_up_s || !simulated_first_up_s) return std::nullopt;
    return *simulated_first_up_s - *observed_first_up_s;
  }
  std::optional<double> peak_lag_s() const {
    if (!observed_peak_s || !simulated_peak_s) return std::nullopt;
    return *simulated_peak_s - *observed_peak_s;
  }
};

// The sites of a run that have observed series, in site order (empty: no backtest).
std::vector<SiteBacktest> backtest(const store::ResultsReader& reader, int64_t run_id);

}  // namespace report
