// report/markdown.h: the Markdown report: title and provenance, the configuration table with
// confidence intervals, rank and Pareto front, the cost-against-SLO chart, the narration, and per
// shown run its incidents and charts.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "store/results_reader.h"

namespace report {

struct MarkdownContext {
  const store::ResultsReader* reader = nullptr;
  std::map<std::string, std::string> meta;
  std::string title;
  std::size_t completed_runs = 0;
  int64_t unfinished_runs = 0;
  Completeness completeness;  // of a sweep: what its plan has that the file lacks
  // Variants of one scenario are ranked against each other; different scenarios (the demos) are
  // listed in their own order.
  bool comparable = true;
  std::string pareto_y;
  // Where charts go (nullopt: no charts); charts_rel is how the Markdown links to that folder.
  std::optional<std::filesystem::path> charts_dir;
  std::string charts_rel;
  bool charts_wanted = true;  // false: --no-charts (no note about gnuplot)
};

// Throws gnuplot::Error when a chart cannot be drawn.
std::string markdown(const MarkdownContext& ctx, const std::vector<Configuration>& configs,
                     const std::vector<const Configuration*>& by_rank);

}  // namespace report
