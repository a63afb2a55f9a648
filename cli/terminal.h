// cli/terminal.h: what long commands print on a terminal: progress lines and summary tables.
// Progress appears only when stdout and stderr are terminals and --quiet is not given.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/run.h"
#include "models/metrics/metrics_collector.h"
#include "sim/time.h"

namespace CLI {
class App;
}

namespace cli {

bool stdout_is_terminal();

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { clear(); }
  // Redraws at most every 100 ms: "label [#####     ] 50%  <detail>  ETA 3s".
  void update(const std::string& label, double fraction, const std::string& detail);
  void clear();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// A fixed-width table of the overall and per-site summaries.
std::string format_summary_table(const models::RunSummary& s);
// Cost per site and overall (when the scenario prices its sites), and one line per incident.
std::string format_cost_and_incidents(const models::RunSummary& s, const engine::DrSummary& dr);
// One line per site with several node groups: each group's node-hours, cost and troubles.
std::string format_node_groups(const models::RunSummary& s,
                               const std::vector<std::vector<models::NodeGroupSummary>>& groups);
// The failures by cause (overall), and one line per database with what its sites' pods did.
std::string format_failures_and_databases(const engine::RunResult& r);
// "1,234,567"
std::string thousands(uint64_t n);

// The loader's warnings (config::Scenario::warnings), one "warning: ..." line each on stderr.
void print_warnings(const std::vector<std::string>& warnings);
// --allow-late: declares the flag, and the --set argument it stands for.
void add_allow_late_flag(CLI::App* cmd, bool* flag);
std::vector<std::string> with_allow_late(std::vector<std::string> sets, bool allow_late);

}  // namespace cli
