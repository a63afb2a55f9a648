// runner/merge.h: moving whole runs between results files (sweeps, shards, `hcsim merge`).
//
// Runs keep their run_id: a sweep numbers its runs, so the shards of a sweep merged together hold
// exactly the rows one unsharded sweep would have written. Every copy is one transaction: a
// results file never holds part of a run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runner/sqlite_util.h"

namespace runner {

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

// `hcsim merge OUT IN...`: OUT (created, or extended when it exists) receives every run of the
// inputs. A run present twice must be the same run (same fingerprint), else it is an error; a
// completed copy replaces an unfinished one. Inputs from a sweep must come from the same sweep.
int cmd_merge(const std::string& out, const std::vector<std::string>& inputs, bool quiet);

}  // namespace runner
