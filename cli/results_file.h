// cli/results_file.h: what the commands that write a results file (run, sweep, merge) do before
// they touch it: take its writer lock (store/writer_lock.h) and refuse to replace a file that
// holds other work unless --force says so.
#pragma once

#include <memory>
#include <string>

#include "store/writer_lock.h"

namespace cli {

// The command line as typed (main sets it; "hcsim" in tests), shown to a second writer.
void set_command_line(int argc, char** argv);
const std::string& command_line();

// Takes the writer lock of the results file `path` for this command. When another process holds
// it, or the lock file cannot be made, prints why after `who` ("hcsim sweep") and returns null:
// the caller exits 2 without touching the file.
std::unique_ptr<store::WriterLock> lock_results(const std::string& path, const char* who);

// What the writer is about to put in place of an existing file.
struct Replacement {
  std::string sweep_name;  // a sweep's name, or "" for a single run
  std::string sweep_hash;  // the sweep plan's hash (config/sweep_plan.h)
  std::string scenario;    // a single run's scenario name
};

// True when `path` may be replaced: it does not exist, or it holds earlier results of the same
// sweep (or of the same scenario, for a run), or holds no run, or `force`. Otherwise prints what
// the file holds and how to proceed, and returns false (exit 2). Prints one line on replacing
// completed runs unless `quiet`.
bool may_replace(const std::string& path, const Replacement& with, bool force, bool quiet,
                 const char* who);

}  // namespace cli
