// report/report.h: `hcsim report`: what a results file says, as Markdown (a summary table,
// narration, incidents and PNG charts), CSV (one row per configuration) or JSON.
//
// Only completed runs are reported (others are counted and named as unfinished). Runs are grouped
// into configurations (report/aggregate.h). Every chart the Markdown links exists when the report
// is written: a chart gnuplot cannot draw fails the report, and nothing is written then. Without
// gnuplot the Markdown has no charts and says so.
#pragma once

#include <stdexcept>
#include <string>

namespace report {

struct Options {
  std::string db;
  std::string format = "md";  // md | csv | json
  std::string out;            // md default: results/<db stem>-report.md; csv, json: "" = returned
  std::string pareto_y = "apdex";  // apdex | error_rate | p95 | p99 | rto
  bool charts = true;              // md: draw charts with gnuplot when it is installed
};

// A problem with what the user gave: a missing or foreign results file, a bad option.
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Written {
  std::string path;        // the file written ("" when the text is returned)
  std::string charts_dir;  // md with charts: the folder of the images
  std::string text;        // csv or json without `out`: the report itself
};

// Throws BadInput, gnuplot::Error (a chart could not be drawn) or std::exception (I/O).
Written write_report(const Options& options);

}  // namespace report
