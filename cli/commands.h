// cli/commands.h: the hcsim subcommands, one file each (cli/cmd_<name>.cc). Each has its
// arguments as a struct, a function that declares its options on the command-line parser, and a
// function that runs it and returns the process exit code (cli/exit_codes.h); tests call the
// latter directly, without the parser.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/exit_codes.h"

namespace CLI {
class App;
}

namespace cli {

// hcsim run SCENARIO [--seed N] [--set PATH=VALUE]... [--out FILE] [--summary-json FILE|-]
struct RunArgs {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
  std::string out;           // "" = results/<scenario name>.sqlite
  std::string summary_json;  // "" = none, "-" = stdout
  bool quiet = false;
  bool force = false;       // run even when the estimate is over the limits (engine/estimate.h)
  bool allow_late = false;  // drop events and narration at or after the end (allow_late: true)
};
CLI::App* add_run_command(CLI::App& app, RunArgs* args);
int cmd_run(const RunArgs& args, const std::atomic<bool>* stop);

// hcsim validate SCENARIO|SWEEP [--set PATH=VALUE]... [--allow-late]
struct ValidateArgs {
  std::string scenario;  // a scenario, or a sweep file (every configuration is checked)
  std::vector<std::string> sets;
  bool quiet = false;
  bool allow_late = false;
};
CLI::App* add_validate_command(CLI::App& app, ValidateArgs* args);
int cmd_validate(const ValidateArgs& args);

// hcsim sweep SWEEP [--jobs N] [--out FILE] [--resume] [--shard I/N|auto] [--list]
struct SweepArgs {
  std::string file;
  int jobs = 1;
  bool force = false;
  std::string out;  // "" = results/<sweep name>.sqlite
  bool resume = false;
  std::string shard;  // "" (all), "I/N" or "auto"
  int shard_count = 0;
  bool list = false;  // print the plan, run nothing
  bool quiet = false;
  bool allow_late = false;
};
CLI::App* add_sweep_command(CLI::App& app, SweepArgs* args);
// Exit codes as for `run`: 0, 1 (a run's expect: gates failed), 2 (bad input), 3, 130.
int cmd_sweep(const SweepArgs& args, const std::atomic<bool>* stop);

// hcsim compare A.yaml [B.yaml] [--set-b PATH=VALUE]... [--metric M,...] [--precision F]
// [--min-reps N] [--max-reps N] [--fail-if-worse METRIC[:MARGIN]]... [--format table|md|json]
// Exit codes: 0, 1 (a --fail-if-worse gate failed), 2 (bad input), 3, 130.
struct CompareArgs {
  std::string a;
  std::string b;                     // "" = A with --set-b
  std::vector<std::string> sets;     // both sides
  std::vector<std::string> sets_b;   // B only
  std::vector<std::string> metrics;  // "" = every one the runs have (report/compare.h)
  double precision = 0.05;
  int min_reps = 10;
  int max_reps = 64;
  int jobs = 1;
  std::optional<uint64_t> seed;
  std::vector<std::string> fail_if_worse;
  std::string format = "table";  // table | md | json
  std::string out;               // "" = a temporary results file
  bool quiet = false;
  bool force = false;
  bool allow_late = false;
};
CLI::App* add_compare_command(CLI::App& app, CompareArgs* args);
int cmd_compare(const CompareArgs& args, const std::atomic<bool>* stop);

// hcsim merge OUT IN...: OUT (created, or extended when it exists) receives every run of the
// inputs. A run present twice must be the same run (same fingerprint), else it is an error; a
// completed copy replaces an unfinished one. Inputs from a sweep must come from the same sweep.
struct MergeArgs {
  std::string out;
  std::vector<std::string> inputs;
  bool quiet = false;
};
CLI::App* add_merge_command(CLI::App& app, MergeArgs* args);
int cmd_merge(const MergeArgs& args);

// hcsim report RESULTS [--format md|csv|json] [--out FILE] [--pareto-y M] [--no-charts]
struct ReportArgs {
  std::string db;
  std::string format = "md";  // md | csv | json
  std::string out;            // md default: results/<db stem>-report.md; csv, json: stdout
  std::string pareto_y = "apdex";
  bool no_charts = false;
  bool quiet = false;
};
CLI::App* add_report_command(CLI::App& app, ReportArgs* args);
int cmd_report(const ReportArgs& args);

// hcsim explain RESULTS --site S --at T [--run ID] [--all-pods] [--no-replay] [--format text|json]
// Exit codes: 0, 2 (bad input: no such file, run, site or time).
struct ExplainArgs {
  std::string db;
  std::string site;
  std::string at;
  std::optional<int64_t> run;
  bool all_pods = false;
  bool no_replay = false;
  std::string format = "text";
};
CLI::App* add_explain_command(CLI::App& app, ExplainArgs* args);
int cmd_explain(const ExplainArgs& args);
// The same without printing (the viewer's Why? panel): the text (or JSON), a warning (the
// replay fell back to the logged decisions), or an error with its exit code.
struct Explained {
  std::string text, warning, error;
  int code = kExitError;
};
Explained explain(const ExplainArgs& args);

// hcsim hpa-check CASES [--verbose]: exit 0 when every evaluated case agrees, 1 when one does
// not, 2 when the file is unreadable.
struct HpaCheckArgs {
  std::string cases;
  bool verbose = false;
};
CLI::App* add_hpa_check_command(CLI::App& app, HpaCheckArgs* args);
int cmd_hpa_check(const HpaCheckArgs& args);

}  // namespace cli
