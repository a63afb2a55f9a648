// engine/sweep_runner.h: running the planned runs of a sweep on worker threads.
//
// Each worker runs one planned run at a time into its own part file (a results file of one run);
// the calling thread moves finished parts into the output in the order of the list, so the
// output holds the same rows whatever the number of workers. A run that throws is reported and
// counted; the others go on. A stop flag ends the sweep after the runs in progress (which are
// kept, marked interrupted) and before any run not yet started.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "config/sweep_plan.h"
#include "store/sqlite.h"

namespace engine {

struct SweepRunnerOptions {
  int jobs = 1;
  std::string parts_dir;  // created and removed by the runner
  const std::atomic<bool>* stop = nullptr;
  // Called from the calling thread: about every 200 ms with the runs moved so far, and for each
  // run that failed (an error, not a failed gate) or could not be stored.
  std::function<void(std::size_t moved)> on_progress;
  std::function<void(const config::PlannedRun& run, const std::string& error)> on_error;
};

struct SweepRunnerResult {
  int workers = 0;
  int errors = 0;
  bool interrupted = false;  // the stop flag ended it before every run was done
};

// REQUIRES: `out` is a results file; the runs are of one plan.
SweepRunnerResult run_planned(store::Db& out, const std::vector<const config::PlannedRun*>& todo,
                              const SweepRunnerOptions& options);

}  // namespace engine
