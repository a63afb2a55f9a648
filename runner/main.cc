// hcsim: the command-line front end. Parses arguments with CLI11 and calls runner/commands.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "runner/commands.h"
#include "runner/merge.h"
#include "runner/report.h"
#include "runner/sweep.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int sig) {
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hcsim: a discrete-event simulator for hybrid-cloud autoscaling and disaster recovery.\n"
      "Exit codes: 0 ok, 1 an expect: gate failed, 2 bad input, 3 internal or I/O error,\n"
      "130 interrupted (results are kept and marked interrupted)."};
  app.set_version_flag("--version", std::string("hcsim ") + HCSIM_VERSION);
  app.require_subcommand(1);

  runner::RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run one scenario and write its results to SQLite");
  run->add_option("scenario", run_args.scenario, "Scenario YAML file")->required();
  run->add_option("--seed", run_args.seed, "Seed for this run (default: the scenario's seed:)");
  run->add_option("--set", run_args.sets,
                  "Override one setting, e.g. --set sites.public.replicas=12 (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_option(
      "--out", run_args.out,
      "Results database to write (replaced if it exists; default results/<name>.sqlite)");
  run->add_option("--summary-json", run_args.summary_json,
                  "Also write the run summary as JSON ('-' = stdout)");
  run->add_flag("--quiet,-q", run_args.quiet, "No progress or summary on the terminal");
  run->add_flag("--force", run_args.force,
                "Run even when the estimated requests, results size or memory are over the "
                "limits (hcsim validate shows the estimate)");

  std::string validate_file;
  std::vector<std::string> validate_sets;
  bool validate_quiet = false;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file without running it");
  validate->add_option("scenario", validate_file, "Scenario YAML file")->required();
  validate->add_option("--set", validate_sets, "Override one setting (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  validate->add_flag("--quiet,-q", validate_quiet, "Print nothing when the file is valid");

  runner::SweepArgs sweep_args;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a sweep file (scenarios x axes x replications) into one results file");
  sweep->add_option("sweep", sweep_args.file, "Sweep YAML file")->required();
  sweep_args.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  sweep
      ->add_option("--jobs,-j", sweep_args.jobs,
                   "Runs in parallel, one per thread (default: one per core; results do not "
                   "depend on it)")
      ->check(CLI::Range(1, 1024));
  sweep->add_option("--out", sweep_args.out,
                    "Results database (default results/<sweep name>.sqlite)");
  sweep->add_flag("--resume", sweep_args.resume,
                  "Keep the completed runs already in --out and do the rest (without it, --out is "
                  "replaced)");
  sweep->add_option("--shard", sweep_args.shard,
                    "Run only shard I of N (runs whose index mod N is I): I/N, or 'auto' to read "
                    "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID");
  sweep->add_option(
      "--shard-count", sweep_args.shard_count,
      "N for --shard auto (default: shards: in the sweep file, or SLURM_ARRAY_TASK_COUNT)");
  sweep->add_flag("--list", sweep_args.list, "Print the planned runs and exit");
  sweep->add_flag("--quiet,-q", sweep_args.quiet, "No progress or summary on the terminal");
  sweep->add_flag("--force", sweep_args.force,
                  "Run even when a configuration's estimate is over the limits of hcsim run");

  std::string merge_out;
  std::vector<std::string> merge_in;
  bool merge_quiet = false;
  CLI::App* merge =
      app.add_subcommand("merge", "Merge results files (e.g. the shards of a sweep) into one");
  merge->add_option("out", merge_out, "Results database to write (extended if it exists)")
      ->required();
  merge->add_option("inputs", merge_in, "Results databases to read")->required();
  merge->add_flag("--quiet,-q", merge_quiet, "No summary on the terminal");

  runner::ReportArgs report_args;
  bool report_no_charts = false;
  CLI::App* report = app.add_subcommand(
      "report",
      "Summarise a results file: configurations with confidence intervals, ranking, "
      "Pareto front, charts");
  report->add_option("results", report_args.db, "Results database")->required();
  report->add_option("--format", report_args.format, "md (with charts), csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}));
  report->add_option("--out", report_args.out,
                     "File to write (md default: results/<results name>-report.md, with charts in "
                     "<report name>-charts/; csv and json default: stdout)");
  report
      ->add_option("--pareto-y", report_args.pareto_y,
                   "SLO measure of the Pareto front against cost: apdex, error_rate, p95, p99, rto")
      ->check(CLI::IsMember({"apdex", "error_rate", "p95", "p99", "rto"}));
  report->add_flag("--no-charts", report_no_charts, "md: do not draw charts");
  report->add_flag("--quiet,-q", report_args.quiet, "Print nothing but errors");

  std::string cases_file;
  bool check_verbose = false;
  CLI::App* check = app.add_subcommand(
      "hpa-check",
      "Evaluate HPA decision cases (the format of reference/hpa-cases.json) with hcsim's HPA");
  check->add_option("cases", cases_file, "Cases JSON file")->required();
  check->add_flag("--verbose,-v", check_verbose, "Also list passing and skipped cases");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return runner::kExitBadInput;
  }

  if (*run) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return runner::cmd_run(run_args, &g_stop);
  }
  if (*sweep) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return runner::cmd_sweep(sweep_args, &g_stop);
  }
  if (*merge) return runner::cmd_merge(merge_out, merge_in, merge_quiet);
  if (*report) {
    report_args.charts = !report_no_charts;
    return runner::cmd_report(report_args);
  }
  if (*validate) return runner::cmd_validate(validate_file, validate_sets, validate_quiet);
  if (*check) return runner::cmd_hpa_check(cases_file, check_verbose);
  return runner::kExitBadInput;
}
