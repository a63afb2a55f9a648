// hcsim: the command-line front end. Parses arguments with CLI11 and calls runner/commands.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "runner/commands.h"

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

  std::string validate_file;
  std::vector<std::string> validate_sets;
  bool validate_quiet = false;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file without running it");
  validate->add_option("scenario", validate_file, "Scenario YAML file")->required();
  validate->add_option("--set", validate_sets, "Override one setting (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  validate->add_flag("--quiet,-q", validate_quiet, "Print nothing when the file is valid");

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
  if (*validate) return runner::cmd_validate(validate_file, validate_sets, validate_quiet);
  if (*check) return runner::cmd_hpa_check(cases_file, check_verbose);
  return runner::kExitBadInput;
}
