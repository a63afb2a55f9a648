#include "store/runs.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "store/results_reader.h"
#include "store/results_writer.h"

namespace store {

namespace fs = std::filesystem;

namespace {

struct RunRow {
  std::string status;
  std::string fingerprint;
};

std::map<int64_t, RunRow> runs_of(Db& db, const std::string& schema) {
  std::map<int64_t, RunRow> out;
  Stmt st(db, "SELECT run_id, status, coalesce(fingerprint, '') FROM " + schema + ".runs");
  while (st.step()) out[st.int64(0)] = {st.text(1), st.text(2)};
  return out;
}

class Attached {
 public:
  Attached(Db& db, const std::string& path) : db_(db) {
    Stmt st(db_, "ATTACH DATABASE ? AS src");
    st.bind(1, path).run();
  }
  ~Attached() {
    try {
      db_.exec("DETACH DATABASE src");
    } catch (...) {
    }
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  Db& db_;
};

void copy_rows(Db& dst, int64_t run_id) {
  // The histogram bins are shared by the runs of a file (the same layout for every run).
  dst.exec("INSERT OR IGNORE INTO main.rt_hist_bins SELECT * FROM src.rt_hist_bins");
  for (const std::string& t : run_tables()) {
    Stmt st(dst, "INSERT INTO main." + t + " SELECT * FROM src." + t + " WHERE run_id = ?");
    st.bind(1, run_id).run();
  }
}

}  // namespace

const std::vector<std::string>& run_tables() {
  static const std::vector<std::string> kTables{"runs",   "entities", "series",   "rt_hist",
                                                "events", "samples",  "narration"};
  return kTables;
}

void delete_run(Db& dst, int64_t run_id) {
  const auto& tables = run_tables();
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
    Stmt st(dst, "DELETE FROM " + *it + " WHERE run_id = ?");
    st.bind(1, run_id).run();
  }
}

void copy_run(Db& dst, const std::string& src, int64_t run_id) {
  Attached a(dst, src);
  {
    Transaction tx(dst);
    delete_run(dst, run_id);
    copy_rows(dst, run_id);
    tx.commit();
  }
}

std::map<std::string, std::string> read_meta(Db& db) {
  std::map<std::string, std::string> kv;
  Stmt st(db, "SELECT key, value FROM meta");
  while (st.step()) kv[st.text(0)] = st.text(1);
  return kv;
}

void write_meta(Db& db, const std::map<std::string, std::string>& kv) {
  Stmt st(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  for (const auto& [k, v] : kv) st.bind(1, k).bind(2, v).run();
}

namespace {

// Checks that `in` is a results file of this schema from the same sweep as the output, and
// takes over its sweep metadata. Throws MergeRefused.
void check_input(const std::string& in, const std::string& out,
                 std::map<std::string, std::string>* meta) {
  std::map<std::string, std::string> in_meta;
  try {
    const ResultsReader reader(in);  // the schema version must match
    reader.check_all();              // and every row make sense
    in_meta = reader.meta();
  } catch (const DbError& e) {
    throw MergeRefused(e.what());
  }
  const auto hash = in_meta.find("sweep_hash");
  if (hash == in_meta.end()) return;
  const auto have = meta->find("sweep_hash");
  if (have != meta->end() && have->second != hash->second)
    throw MergeRefused(in + " comes from another sweep (or another version of it) than " + out);
  for (const auto& [k, v] : in_meta) {
    if (k.rfind("sweep_", 0) == 0) (*meta)[k] = v;
  }
}

// Copies the runs of the attached input into `db` in one transaction.
void merge_one(Db& db, const std::string& in, MergeOutcome* outcome) {
  Attached a(db, in);
  const auto theirs = runs_of(db, "src");
  const auto ours = runs_of(db, "main");
  Transaction tx(db);
  for (const auto& [id, row] : theirs) {
    const auto mine = ours.find(id);
    if (mine != ours.end()) {
      const bool same =
          mine->second.fingerprint == row.fingerprint && mine->second.status == row.status;
      if (same || (mine->second.status == "completed" && row.status != "completed")) {
        ++outcome->skipped;
        continue;
      }
      if (mine->second.status == "completed" && row.status == "completed")
        throw MergeRefused("run " + std::to_string(id) + " differs between " + in +
                           " and an earlier input");
      delete_run(db, id);
    }
    copy_rows(db, id);
    ++outcome->copied;
  }
  tx.commit();
}

// A sweep's runs are numbered 1..sweep_runs: names the ones that are absent or unfinished.
std::string missing_runs(Db& db, const std::map<std::string, std::string>& meta) {
  const auto n = meta.find("sweep_runs");
  if (n == meta.end()) return "";
  const auto have = runs_of(db, "main");
  const int64_t planned = std::stoll(n->second);
  int64_t absent = 0;
  std::string list;
  for (int64_t id = 1; id <= planned; ++id) {
    const auto it = have.find(id);
    if (it != have.end() && it->second.status == "completed") continue;
    if (++absent <= 10) list += (absent > 1 ? ", " : "") + std::to_string(id);
  }
  if (absent == 0) return "";
  if (absent > 10) list += ", ...";
  return std::to_string(absent) + " of the sweep's " + n->second +
         " runs are missing or unfinished: " + list;
}

}  // namespace

MergeOutcome merge_results(const std::string& out, const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(in, ec)) throw MergeRefused(in + ": no such results file");
    if (fs::exists(out, ec) && fs::equivalent(in, out, ec))
      throw MergeRefused(in + " is both an input and the output");
  }
  const std::string scratch = out + ".merging";
  std::error_code ec;
  fs::remove(scratch, ec);
  try {
    if (fs::exists(out, ec)) fs::copy_file(out, scratch);
    MergeOutcome outcome;
    {
      ResultsDb result(scratch);
      Db& db = result.db();
      std::map<std::string, std::string> meta = read_meta(db);
      for (const std::string& in : inputs) {
        check_input(in, out, &meta);
        merge_one(db, in, &outcome);
      }
      Transaction tx(db);
      write_meta(db, meta);
      tx.commit();
      outcome.missing = missing_runs(db, meta);
    }
    fs::rename(scratch, out);
    return outcome;
  } catch (...) {
    fs::remove(scratch, ec);
    fs::remove(scratch + "-journal", ec);
    throw;
  }
}

}  // namespace store
