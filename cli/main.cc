// hcsim: the command-line front end. Each subcommand declares its own options (cli/cmd_*.cc);
// this file parses the command line, installs the signal handlers of the long commands, and
// dispatches.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>

#include "cli/commands.h"
#include "cli/results_file.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int sig) {
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}

// SIGINT and SIGTERM stop a run or sweep between events; its results are kept, marked
// interrupted (exit 130).
const std::atomic<bool>* stop_on_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  return &g_stop;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hcsim: a discrete-event simulator for hybrid-cloud autoscaling and disaster recovery.\n"
      "Exit codes: 0 ok, 1 an expect: gate (or a compare --fail-if-worse gate) failed,\n"
      "2 bad input, 3 internal or I/O error, 130 interrupted (results are kept and marked\n"
      "interrupted)."};
  cli::set_command_line(argc, argv);
  app.set_version_flag("--version", std::string("hcsim ") + HCSIM_VERSION);
  app.require_subcommand(1);

  cli::RunArgs run_args;
  cli::ValidateArgs validate_args;
  cli::SweepArgs sweep_args;
  cli::MergeArgs merge_args;
  cli::CompareArgs compare_args;
  cli::ExplainArgs explain_args;
  cli::ReportArgs report_args;
  cli::HpaCheckArgs check_args;
  const CLI::App* run = cli::add_run_command(app, &run_args);
  const CLI::App* validate = cli::add_validate_command(app, &validate_args);
  const CLI::App* sweep = cli::add_sweep_command(app, &sweep_args);
  const CLI::App* merge = cli::add_merge_command(app, &merge_args);
  const CLI::App* compare = cli::add_compare_command(app, &compare_args);
  const CLI::App* report = cli::add_report_command(app, &report_args);
  const CLI::App* explain = cli::add_explain_command(app, &explain_args);
  const CLI::App* check = cli::add_hpa_check_command(app, &check_args);

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
    return cli::kExitBadInput;
  }

  if (*run) return cli::cmd_run(run_args, stop_on_signals());
  if (*sweep) return cli::cmd_sweep(sweep_args, stop_on_signals());
  if (*merge) return cli::cmd_merge(merge_args);
  if (*compare) return cli::cmd_compare(compare_args, stop_on_signals());
  if (*explain) return cli::cmd_explain(explain_args);
  if (*report) return cli::cmd_report(report_args);
  if (*validate) return cli::cmd_validate(validate_args);
  if (*check) return cli::cmd_hpa_check(check_args);
  return cli::kExitBadInput;
}
