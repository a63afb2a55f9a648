// store/runs.h: moving whole runs between results files (sweeps, shards, `hcsim merge`).
//
// Runs keep their run_id: a sweep numbers its runs, so the shards of a sweep merged together hold
// exactly the rows one unsharded sweep would have written. Every copy is one transaction: a
// results file never holds part of a run.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace store {

// The tables that hold a run's rows, parents first.
const std::vector<std::string>& run_tables();

// Copies every row of run `run_id` from the results file `src` into `dst` (both of the current
// schema version) in one transaction.
void copy_run(Db& dst, const std::string& src, int64_t run_id);
// Deletes every row of run `run_id`.
void delete_run(Db& dst, int64_t run_id);

// The meta table's key/value pairs.
std::map<std::string, std::string> read_meta(Db& db);
void write_meta(Db& db, const std::map<std::string, std::string>& kv);

// Why a merge was refused: an input that is not a results file of this schema, that comes from
// another sweep, or that holds a run which differs from the same run in another input. The
// output is left as it was.
class MergeRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MergeOutcome {
  int copied = 0;   // runs copied into the output
  int skipped = 0;  // duplicates of runs already there
  // For a sweep's results: the runs of its plan that no input had completed ("" if none).
  std::string missing;
};

// Merges every run of `inputs` into `out` (created, or extended when it exists). Works on a
// scratch copy renamed over `out` only when every input went in. A run present twice must be the
// same run (same fingerprint and status), else MergeRefused; a completed copy replaces an
// unfinished one. Inputs from a sweep must come from the same sweep. Throws MergeRefused for bad
// inputs, DbError or std::exception for I/O errors.
MergeOutcome merge_results(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace store
