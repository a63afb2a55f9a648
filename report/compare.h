// report/compare.h: is configuration B better than A, or is that noise? (hcsim compare)
//
// A and B run in pairs that share a seed (common random numbers: replication r of A and of B see
// the same arrivals, failures and service draws wherever their models take the same path), so the
// per-pair difference d_r = B_r - A_r cancels most of the run-to-run noise. For each metric:
//
//   - the paired-t interval of the mean difference: mean(d) +- t(0.975, n-1) s_d / sqrt(n), and
//     the two-sided p-value of mean(d) = 0 (Law & Kelton, Simulation Modeling and Analysis, 3rd
//     ed., section 10.2.1; with common random numbers, section 11.2);
//   - a verdict: better or worse when the interval excludes 0 (in the metric's good direction),
//     else no significant difference;
//   - the sequential rule (Law & Kelton section 9.4.1, relative precision): the comparison is
//     precise enough once the half-width h satisfies h <= g/(1+g) |mean(d)| (the difference is
//     known to within g of itself: a large difference stops early) or h <= g |mean(A)| (any
//     difference is known to within g of A's level: equivalent configurations stop too), with
//     g = --precision. Runs continue pair by pair until every chosen metric is precise (from
//     --min-reps pairs on) or --max-reps pairs.
//
// Values are the per-run figures of report/aggregate.h in their shown units (Apdex 0..1, error
// rate in %, response times in s, cost in the scenario's currency, RTO and RPO in s); A's and
// B's means are over the pairs counted. A run in which an incident never recovered has no RTO:
// such pairs are left out of the RTO interval, and the pairs where only one side recovered are
// compared with McNemar's exact test (a two-sided binomial test of the discordant pairs); when
// it is significant at 5%, the side that failed to recover more often is the worse one, whatever
// the interval of the recovered pairs says.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/aggregate.h"
#include "report/stats.h"

namespace report::compare {

// The metrics `--metric` names: apdex, p95, p99, error_rate, cost, rto, rpo.
struct Choice {
  std::string name;   // as given on the command line
  std::size_t index;  // in report::metrics()
};
const std::vector<Choice>& choices();
// REQUIRES: nothing. Returns nullopt for an unknown name.
std::optional<Choice> choice(std::string_view name);
// "apdex, p95, p99, error_rate, cost, rto, rpo": for messages.
std::string choice_names();

enum class Verdict { kNotApplicable, kNoDifference, kBetter, kWorse };
const char* verdict_name(Verdict v);  // "n/a", "no significant difference", "better", "worse"

struct Paired {
  Choice metric;
  int n = 0;  // pairs with a value on both sides
  double mean_a = 0, mean_b = 0;
  stats::Interval diff;  // of B - A, 95%
  double p_value = 1;    // two-sided paired t; NaN with fewer than 2 pairs
  double relative = 0;   // diff.mean / |mean_a|; NaN when mean_a is 0
  Verdict verdict = Verdict::kNotApplicable;
  bool precise = false;                      // meets the sequential rule
  int unrecovered_a = 0, unrecovered_b = 0;  // RTO: runs whose incident never recovered
  double recovery_p = 1;  // McNemar's exact p over the pairs where one side alone recovered
  std::string note;       // why n/a, or what decided the verdict
};

// RTO: runs whose incident never recovered, per side, and the pairs where only one side did not.
struct Unrecovered {
  int a = 0, b = 0;
  int only_a = 0, only_b = 0;
};

// McNemar's exact two-sided p for discordant pair counts x and y (1 when both are 0).
double mcnemar_exact_p(int x, int y);

// The comparison of one metric over the pairs a[i], b[i] (NaN = absent in that run).
// `unrecovered`: for RTO, the runs whose incident never recovered (their RTO is NaN, so their
// pairs are left out of the interval).
Paired paired(const Choice& metric, std::span<const double> a, std::span<const double> b,
              double precision, const Unrecovered& unrecovered = {});

// --fail-if-worse METRIC[:MARGIN]: MARGIN is N% (of A's mean) or a number in the metric's shown
// units (default 0). B fails the gate when it is significantly worse by more than the margin:
// the whole 95% interval of the difference lies beyond the margin on the bad side.
struct Gate {
  Choice metric;
  double margin = 0;
  bool relative = false;  // margin is a fraction of |mean A|
  std::string text;       // as given
};
// Throws std::invalid_argument with a message naming the problem.
Gate parse_gate(std::string_view text);

struct GateOutcome {
  bool failed = false;
  std::string why;  // one line: what was compared and how it came out
};
// A metric with no value to judge fails its gate (nothing silently passes).
GateOutcome judge(const Gate& gate, const Paired& p);

// Tabular output of a comparison.
struct Report {
  std::string label_a, label_b;
  std::vector<uint64_t> seeds;  // per pair
  int pairs = 0;
  bool stopped_precise = false;  // the rule was met (else max-reps or an interruption)
  bool interrupted = false;      // stopped by SIGINT or SIGTERM
  double precision = 0.05;
  std::vector<Paired> metrics;
  std::vector<std::pair<Gate, GateOutcome>> gates;
};
std::string to_text(const Report& r);      // aligned columns for a terminal
std::string to_markdown(const Report& r);  // a Markdown table, for a CI summary or a PR comment
std::string to_json(const Report& r);

}  // namespace report::compare
