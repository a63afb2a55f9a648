// report/charts.h: the PNG charts of a Markdown report, drawn by gnuplot (report/gnuplot.h).
//
// Per run: replicas per site (ready, desired dashed), response-time percentiles, throughput and
// errors, the traffic share per site (with more than one site) and the T-map. Per report: cost
// against the chosen SLO measure with the Pareto front. Series are summed or maximised into
// windows of at least the bucket and about 1/600 of the run, so a 24 h run still draws quickly.
// Every function returns only images that exist: a chart gnuplot did not write is an error.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "report/aggregate.h"
#include "report/backtest.h"
#include "store/results_reader.h"

namespace report {

// (caption, file name relative to `dir`)
using Images = std::vector<std::pair<std::string, std::string>>;

// The charts of one run, written into `dir` with names starting with `stem`. Throws
// gnuplot::Error.
Images run_charts(const store::ResultsReader& reader, const RunFigures& run,
                  const std::filesystem::path& dir, const std::string& stem);

// A backtest's site: observed and simulated replicas (and CPU when observed), one PNG each.
Images backtest_charts(const SiteBacktest& b, const std::filesystem::path& dir,
                       const std::string& stem);

// Cost against metric `y` of every configuration with both; the PNG's name in `dir`.
std::string pareto_chart(const std::vector<Configuration>& configs,
                         const std::filesystem::path& dir, std::size_t y,
                         const std::string& y_title);

// A histogram of the runs' RTO (each run's worst incident), one set of bars per configuration
// (at most eight); the PNG's name in `dir`, or "" when no run has an RTO. Runs whose incident
// never recovered are not drawn (the caption says how many).
std::string recovery_chart(const std::vector<const Configuration*>& configs,
                           const std::filesystem::path& dir);

}  // namespace report
