// hcsim merge: merges results files (the shards of a sweep, or any runs) into one
// (store::merge_results); refuses, leaving the output as it was, when inputs do not fit.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "cli/results_file.h"
#include "store/runs.h"

namespace cli {

CLI::App* add_merge_command(CLI::App& app, MergeArgs* args) {
  CLI::App* cmd =
      app.add_subcommand("merge", "Merge results files (e.g. the shards of a sweep) into one");
  cmd->add_option("out", args->out, "Results database to write (extended if it exists)")
      ->required();
  cmd->add_option("inputs", args->inputs, "Results databases to read")->required();
  cmd->add_flag("--quiet,-q", args->quiet, "No summary on the terminal");
  return cmd;
}

int cmd_merge(const MergeArgs& args) {
  const auto lock = lock_results(args.out, "hcsim merge");
  if (!lock) return kExitBadInput;
  for (const std::string& in : args.inputs) {
    if (const std::string who = store::current_writer(in); !who.empty()) {
      std::fprintf(stderr,
                   "hcsim merge: warning: %s is being written by %s; only the runs it has "
                   "finished so far are merged\n",
                   in.c_str(), who.c_str());
    }
  }
  try {
    const store::MergeOutcome m = store::merge_results(args.out, args.inputs);
    if (!args.quiet) {
      std::fprintf(stderr, "hcsim merge: %d runs into %s (%d duplicates skipped)\n", m.copied,
                   args.out.c_str(), m.skipped);
    }
    if (!m.missing.empty()) std::fprintf(stderr, "hcsim merge: %s\n", m.missing.c_str());
    return kExitOk;
  } catch (const store::MergeRefused& e) {
    std::fprintf(stderr, "hcsim merge: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim merge: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace cli
