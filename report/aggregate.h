// report/aggregate.h: runs grouped into configurations, with confidence intervals, a rank and a
// cost-against-SLO Pareto front.
//
// A configuration is what a sweep varies (its config_id); a run outside a sweep is a
// configuration of its own. For each configuration: the mean and 95% confidence interval across
// replications of Apdex, error rate, p95 and p99 response time, cost, cost per 1,000 requests,
// RTO, RPO and peak replicas, and the share of runs whose expect: gates passed.
//
// Ranking: configurations whose every run passed its gates (or, without gates, whose mean error
// rate is at most 1% and every incident recovered) come first, cheapest first (ties and
// cost-free scenarios: higher Apdex first); then the others, by the share of runs that passed,
// then Apdex. Pareto front: no other configuration is at most as expensive and at least as good
// on the chosen SLO measure, and strictly better on one of the two.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/stats.h"
#include "store/results_reader.h"

namespace report {

// A figure of a run summary that the report aggregates.
struct Metric {
  const char* key;    // column name in csv/json
  const char* title;  // table header
  const char* scope;  // member of the summary ("overall")
  const char* name;   // member of the scope
  double scale;       // shown = value x scale
  const char* fmt;
  bool higher_is_better;
  stats::Bound bound;   // of the shown value (a fraction: within [0, scale])
  bool sizing = false;  // what it took (cost, pods, nodes), not what users got
};
const std::vector<Metric>& metrics();
// The per-site figures of the report (the members of a summary's sites.<name>).
const std::vector<Metric>& site_metrics();
// The per-node-group figures (the members of a site's node_groups[] in a summary).
const std::vector<Metric>& group_metrics();
// The index of the metric with `key` in metrics(); throws std::out_of_range when none has it.
std::size_t metric_index(std::string_view key);
// The metric of a --pareto-y name (apdex, error_rate, p95, p99, rto).
std::size_t pareto_metric(std::string_view pareto_y);

struct GroupFigures {
  std::string name;
  std::vector<double> values;  // per group metric; NaN when absent
};

struct SiteFigures {
  std::string name;
  std::vector<double> values;        // per site metric; NaN when absent
  double judged = 0;                 // requests completed or failed (the trials behind fractions)
  std::vector<GroupFigures> groups;  // node groups (empty: no nodes: in the scenario)
};

// The figures of one completed run.
struct RunFigures {
  int64_t run_id = 0;
  int64_t config = 0;
  std::string label;
  std::string scenario;
  int64_t replication = 0;
  uint64_t seed = 0;
  std::optional<bool> gates;
  std::vector<double> values;  // per metric; NaN when absent
  std::vector<SiteFigures> sites;
  double judged = 0;  // requests completed or failed, overall
  std::string fingerprint;
  bool unrecovered = false;  // an incident never recovered (its RTO is null)
  double lost_writes = std::numeric_limits<double>::quiet_NaN();  // over the run's incidents
  double duration_s = 0;
  double bucket_s = 0;
};
RunFigures run_figures(const store::RunRecord& run);

// A recovery figure across a configuration's replications: each run's value (its worst
// incident's RTO or RPO, its lost writes), as a distribution. Percentiles are nearest-rank over
// the runs, a run whose incident never recovered ranking above every RTO (a percentile that falls
// on one is +inf: "never"); the mean and its Student-t interval are over the runs with a value.
struct Spread {
  int runs = 0;         // runs with a value
  int unrecovered = 0;  // RTO: runs whose incident never recovered
  stats::Interval mean;
  double p50 = 0, p90 = 0, p99 = 0;
  bool present() const { return runs + unrecovered > 0; }
};
// REQUIRES: values hold no NaN.
Spread spread(std::vector<double> values, int unrecovered);

struct Configuration {
  int64_t id = 0;
  std::string label;
  std::vector<const RunFigures*> runs;
  std::vector<stats::Interval> ci;  // per metric
  Spread rto, rpo, lost_writes;     // across replications
  struct Site {
    std::string name;
    std::vector<stats::Interval> ci;  // per site metric
    struct Group {
      std::string name;
      std::vector<stats::Interval> ci;  // per group metric
    };
    std::vector<Group> groups;
  };
  std::vector<Site> sites;
  int gates_known = 0, gates_passed = 0, unrecovered = 0;
  bool meets = false;
  int rank = 0;
  bool pareto = false;
  // A sweep's plan: the runs it should have, and those of them not completed in the file.
  int planned_runs = 0;
  std::vector<int64_t> missing_runs;
  // The id of an earlier configuration whose runs came out identical (same fingerprints and
  // figures, replication by replication), or -1.
  int64_t same_as = -1;
};

// What a sweep's results file lacks: the configurations of its plan with no completed run (by
// id), and the runs missing per configuration (filled in `configs`). Empty without a plan.
struct Completeness {
  int64_t planned_configs = 0;
  int replications = 0;
  std::vector<int64_t> absent_configs;
  std::vector<std::string> labels;  // of every planned configuration, by id ("" when unknown)
  int64_t missing_runs = 0;
};
Completeness check_completeness(const std::map<std::string, std::string>& meta,
                                const std::vector<store::RunRecord>& completed,
                                std::vector<Configuration>* configs);

// REQUIRES: runs outlives the result.
std::vector<Configuration> aggregate(const std::vector<RunFigures>& runs,
                                     std::string_view pareto_y);

}  // namespace report
