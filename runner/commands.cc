#include "runner/commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "runner/estimate.h"
#include "runner/hpa_check.h"
#include "runner/results_db.h"
#include "runner/run.h"
#include "runner/scenario_loader.h"
#include "runner/terminal.h"

namespace runner {

namespace fs = std::filesystem;

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write");
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(path + ": write failed");
  }
  fs::rename(tmp, path);
}

int cmd_validate(const std::string& scenario, const std::vector<std::string>& sets, bool quiet) {
  try {
    const Scenario s = load_scenario_file(scenario, sets);
    if (!quiet) {
      const Estimate e = estimate(s);
      std::printf("%s: ok: scenario '%s', %zu site%s, %s simulated (%s)\n", scenario.c_str(),
                  s.name.c_str(), s.sites.size(), s.sites.size() == 1 ? "" : "s",
                  sim::format_duration(s.duration).c_str(), describe(e).c_str());
      if (const std::string over = over_limits(e); !over.empty())
        std::printf("  hcsim run would refuse it without --force: %s\n", over.c_str());
    }
    return kExitOk;
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
}

int cmd_hpa_check(const std::string& cases_file, bool verbose) {
  try {
    const HpaCheckTotals t = run_hpa_check(cases_file, std::cout, verbose);
    return t.failed > 0 ? kExitExpectFailed : kExitOk;
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
}

int cmd_run(const RunArgs& args, const std::atomic<bool>* stop) {
  Scenario s;
  try {
    s = load_scenario_file(args.scenario, args.sets);
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
  const uint64_t seed = args.seed.value_or(s.seed);
  const std::string out = args.out.empty() ? "results/" + s.name + ".sqlite" : args.out;
  if (const std::string over = over_limits(estimate(s)); !over.empty() && !args.force) {
    std::fprintf(stderr,
                 "%s: scenario '%s' is too large to start: %s. Use --force to run it anyway.\n",
                 args.scenario.c_str(), s.name.c_str(), over.c_str());
    return kExitBadInput;
  }

  // Write into a temporary file next to the destination and rename it when the run has ended,
  // so `out` is never a half-written file; an interrupted run is kept, marked interrupted.
  const std::string tmp = out + ".tmp-" + std::to_string(getpid());
  std::optional<ResultsDb> db;
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

  const bool chatty = !args.quiet;
  ProgressLine progress(chatty && stdout_is_terminal());
  RunControl control;
  control.stop = stop;
  control.on_progress = [&](sim::SimTime now) {
    progress.update(s.name, now.seconds() / s.duration.seconds(),
                    sim::format_duration(now) + " / " + sim::format_duration(s.duration));
  };
  RunInfo info;
  info.scenario = &s;
  info.seed = seed;
  RunResult r;
  int64_t run_id = 0;
  try {
    r = run_into_db(*db, info, control, &run_id);
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

  if (!args.summary_json.empty()) {
    if (args.summary_json == "-") {
      std::fwrite(r.summary_json.data(), 1, r.summary_json.size(), stdout);
    } else {
      try {
        write_file_atomically(args.summary_json, r.summary_json);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "hcsim: cannot write summary: %s\n", e.what());
        return kExitError;
      }
    }
  }

  if (chatty) {
    const uint64_t requests = r.summary.overall.requests;
    std::fprintf(stderr, "%s (seed %llu): %s simulated in %.2f s wall, %s events%s\n",
                 s.name.c_str(), static_cast<unsigned long long>(seed),
                 sim::format_duration(r.sim_end).c_str(), r.wall_seconds,
                 thousands(r.events).c_str(), r.status == "completed" ? "" : " (INTERRUPTED)");
    std::fputs(format_summary_table(r.summary).c_str(), stderr);
    std::fputs(format_cost_and_incidents(r.summary, r.dr).c_str(), stderr);
    for (const ExpectCheck& c : r.checks) {
      std::fprintf(stderr, "  expect %s %s %g: %.6g %s\n", c.scope.c_str(), c.key.c_str(), c.limit,
                   c.value, c.passed ? "ok" : "FAILED");
    }
    std::fprintf(stderr, "  results: %s (run %lld); %.2f M requests/s of wall time\n", out.c_str(),
                 static_cast<long long>(run_id),
                 r.wall_seconds > 0 ? static_cast<double>(requests) / r.wall_seconds * 1e-6 : 0.0);
  }
  if (r.status != "completed") return kExitInterrupted;
  if (r.expect_passed && !*r.expect_passed) return kExitExpectFailed;
  return kExitOk;
}

}  // namespace runner
