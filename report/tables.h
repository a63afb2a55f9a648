// report/tables.h: the configuration table as CSV (one row per configuration) and as JSON.
#pragma once

#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/backtest.h"

namespace report {

struct TableContext {
  std::string results;  // the results file
  std::string title;
  std::size_t completed_runs = 0;
  int64_t unfinished_runs = 0;
  std::string pareto_y;
  Completeness completeness;
  // Runs with observed series: (run id, its sites' backtests).
  std::vector<std::pair<int64_t, std::vector<SiteBacktest>>> backtests;
};

std::string to_csv(const std::vector<const Configuration*>& by_rank);
std::string to_json(const TableContext& context, const std::vector<const Configuration*>& by_rank);

}  // namespace report
