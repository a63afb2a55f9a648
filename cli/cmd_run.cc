// hcsim run: one scenario run into a results file, with its summary on the terminal and, on
// request, as JSON. The results file is written under a temporary name and renamed when the run
// ends, so it is never half-written; an interrupted run is kept, marked interrupted.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/commands.h"
#include "cli/results_file.h"
#include "cli/terminal.h"
#include "config/loader.h"
#include "engine/estimate.h"
#include "engine/narration_check.h"
#include "engine/run.h"
#include "store/files.h"
#include "store/results_reader.h"
#include "store/results_writer.h"

namespace cli {

namespace fs = std::filesystem;

namespace {

void print_run(const config::Scenario& s, uint64_t seed, const engine::RunResult& r,
               const std::string& out, int64_t run_id) {
  const uint64_t requests = r.summary.overall.requests;
  std::fprintf(stderr, "%s (seed %llu): %s simulated in %.2f s wall, %s events%s\n", s.name.c_str(),
               static_cast<unsigned long long>(seed), sim::format_duration(r.sim_end).c_str(),
               r.wall_seconds, thousands(r.events).c_str(),
               r.status == "completed" ? "" : " (INTERRUPTED)");
  std::fputs(format_summary_table(r.summary).c_str(), stderr);
  std::fputs(format_cost_and_incidents(r.summary, r.dr).c_str(), stderr);
  std::fputs(format_node_groups(r.summary, r.node_groups).c_str(), stderr);
  std::fputs(format_failures_and_databases(r).c_str(), stderr);
  for (const engine::ExpectCheck& c : r.checks) {
    if (!c.evaluated) {
      std::fprintf(stderr, "  expect %s %s %g: NOT EVALUATED (%s)%s\n", c.scope.c_str(),
                   c.key.c_str(), c.limit, c.why_not.c_str(),
                   c.optional ? ", optional" : ": FAILED (mark it optional: if that is expected)");
      continue;
    }
    std::fprintf(stderr, "  expect %s %s %g: %.6g %s\n", c.scope.c_str(), c.key.c_str(), c.limit,
                 c.value, c.passed ? "ok" : "FAILED");
  }
  std::fprintf(stderr, "  results: %s (run %lld); %.2f M requests/s of wall time\n", out.c_str(),
               static_cast<long long>(run_id),
               r.wall_seconds > 0 ? static_cast<double>(requests) / r.wall_seconds * 1e-6 : 0.0);
}

// The narration's declared figures against the run (a warning, not a failure: another seed tells
// another story).
void print_narration_check(const config::Scenario& s, uint64_t seed, const std::string& out,
                           int64_t run_id) {
  const bool any = std::any_of(s.narration.begin(), s.narration.end(),
                               [](const config::NarrationLine& l) { return !l.figures.empty(); });
  if (!any) return;
  try {
    const std::vector<engine::NarrationMismatch> bad =
        engine::check_narration(s, store::ResultsReader(out), run_id);
    if (bad.empty()) {
      std::fprintf(stderr, "  narration: every declared figure holds at its time\n");
      return;
    }
    std::fprintf(stderr, "  narration: %zu figure(s) not what this run shows%s:\n", bad.size(),
                 seed == s.seed ? "" : " (the captions were written for the scenario's seed)");
    for (const engine::NarrationMismatch& m : bad)
      std::fprintf(stderr, "    %s\n", engine::describe(m).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim: cannot check the narration: %s\n", e.what());
  }
}

// Writes the summary JSON to a file or ("-") stdout; false (with a message) when it cannot.
bool write_summary(const std::string& where, const std::string& json) {
  if (where == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
    return true;
  }
  try {
    store::write_file_atomically(where, json);
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim: cannot write summary: %s\n", e.what());
    return false;
  }
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunArgs* args) {
  CLI::App* cmd = app.add_subcommand("run", "Run one scenario and write its results to SQLite");
  cmd->add_option("scenario", args->scenario, "Scenario YAML file")->required();
  cmd->add_option("--seed", args->seed, "Seed for this run (default: the scenario's seed:)");
  cmd->add_option("--set", args->sets,
                  "Override one setting, e.g. --set sites.public.replicas=12 (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  cmd->add_option(
      "--out", args->out,
      "Results database to write (default results/<name>.sqlite; replaced if it holds runs "
      "of this scenario, otherwise only with --force)");
  cmd->add_option("--summary-json", args->summary_json,
                  "Also write the run summary as JSON ('-' = stdout)");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress or summary on the terminal");
  add_allow_late_flag(cmd, &args->allow_late);
  cmd->add_flag("--force", args->force,
                "Run even when the estimated requests, results size or memory are over the "
                "limits (hcsim validate shows the estimate), and replace an --out that holds "
                "other results");
  return cmd;
}

int cmd_run(const RunArgs& args, const std::atomic<bool>* stop) {
  config::Scenario s;
  try {
    s = config::load_scenario_file(args.scenario, with_allow_late(args.sets, args.allow_late));
  } catch (const config::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
  if (!args.quiet) print_warnings(s.warnings);
  const uint64_t seed = args.seed.value_or(s.seed);
  const std::string out = args.out.empty() ? "results/" + s.name + ".sqlite" : args.out;
  if (const std::string over = engine::over_limits(engine::estimate(s));
      !over.empty() && !args.force) {
    std::fprintf(stderr,
                 "%s: scenario '%s' is too large to start: %s. Use --force to run it anyway.\n",
                 args.scenario.c_str(), s.name.c_str(), over.c_str());
    return kExitBadInput;
  }

  const auto lock = lock_results(out, "hcsim run");
  if (!lock) return kExitBadInput;
  if (!may_replace(out, {"", "", s.name}, args.force, args.quiet, "hcsim run"))
    return kExitBadInput;
  const std::string tmp = out + ".tmp-" + std::to_string(getpid());
  std::optional<store::ResultsDb> db;
  try {
    const fs::path p(out);
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    fs::remove(tmp);
    db.emplace(tmp);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim: cannot write results to %s: %s\n", out.c_str(), e.what());
    std::error_code ec;
    fs::remove(tmp, ec);
    return kExitBadInput;
  }

  ProgressLine progress(!args.quiet && stdout_is_terminal());
  engine::RunControl control;
  control.stop = stop;
  control.on_progress = [&](sim::SimTime now) {
    progress.update(s.name, now.seconds() / s.duration.seconds(),
                    sim::format_duration(now) + " / " + sim::format_duration(s.duration));
  };
  engine::RunResult r;
  int64_t run_id = 0;
  try {
    r = engine::run_into_db(*db, s, engine::RunLabel(seed), control, &run_id);
    db.reset();
    fs::rename(tmp, out);
  } catch (const std::exception& e) {
    progress.clear();
    db.reset();
    std::error_code ec;
    if (fs::exists(tmp, ec)) fs::rename(tmp, out, ec);
    std::fprintf(stderr, "hcsim: run failed: %s\n", e.what());
    return kExitError;
  }
  progress.clear();

  if (!args.summary_json.empty() && !write_summary(args.summary_json, r.summary_json))
    return kExitError;
  if (!args.quiet) {
    print_run(s, seed, r, out, run_id);
    print_narration_check(s, seed, out, run_id);
  }
  if (r.status != "completed") return kExitInterrupted;
  if (r.expect_passed && !*r.expect_passed) return kExitExpectFailed;
  return kExitOk;
}

}  // namespace cli
