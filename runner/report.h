// runner/report.h: `hcsim report`, what a results file says, for people and for CI.
//
// Reads only recorded results (never re-simulates). Groups completed runs by configuration (a
// sweep's config_id; a plain run is its own configuration), and gives per configuration the mean
// and 95% Student-t confidence interval across replications of Apdex, error rate, p95 and p99
// response time, cost, cost per 1,000 requests, RTO, RPO and peak replicas, the share of runs
// whose expect: gates passed, a rank, and whether it is on the cost-against-SLO Pareto front.
//
// Ranking: configurations whose every run passed its gates (or, without gates, whose mean error
// rate is at most 1%) come first, cheapest first (ties and cost-free scenarios: higher Apdex
// first); then the others, by the share of runs that passed, then Apdex.
// Pareto front: no other configuration is at most as expensive and at least as good on the
// chosen SLO measure (`--pareto-y`: apdex, error_rate, p95, p99 or rto), and strictly better on
// one of the two.
//
// Formats: md (a summary table, per-run narration and incidents, and PNG charts drawn by
// gnuplot: replicas, latency percentiles and traffic share over time, the T-map heatmap, the
// Pareto plot), csv (one row per configuration) and json.
#pragma once

#include <string>

namespace runner {

struct ReportArgs {
  std::string db;
  std::string format = "md";  // md | csv | json
  std::string out;            // md default: results/<db stem>-report.md; csv, json: stdout
  std::string pareto_y = "apdex";
  bool charts = true;  // md: draw charts with gnuplot when it is installed
  bool quiet = false;
};

int cmd_report(const ReportArgs& args);

}  // namespace runner
