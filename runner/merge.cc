#include "runner/merge.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "runner/commands.h"
#include "runner/results_db.h"

namespace runner {

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

int cmd_merge(const std::string& out, const std::vector<std::string>& inputs, bool quiet) {
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(in, ec)) {
      std::fprintf(stderr, "hcsim merge: %s: no such results file\n", in.c_str());
      return kExitBadInput;
    }
    if (fs::exists(out, ec) && fs::equivalent(in, out, ec)) {
      std::fprintf(stderr, "hcsim merge: %s is both an input and the output\n", in.c_str());
      return kExitBadInput;
    }
  }
  // Merge into a scratch copy and rename it over `out` only when every input went in: a refused
  // input (another sweep, a run that differs) leaves `out` as it was.
  const std::string scratch = out + ".merging";
  std::error_code ec;
  fs::remove(scratch, ec);
  auto fail = [&](int code) {
    std::error_code ignored;
    fs::remove(scratch, ignored);
    fs::remove(scratch + "-journal", ignored);
    return code;
  };
  try {
    if (fs::exists(out, ec)) fs::copy_file(out, scratch);
    int copied = 0, skipped = 0;
    std::map<std::string, std::string> meta;
    std::string missing;
    {
      ResultsDb result(scratch);
      Db& db = result.db();
      meta = read_meta(db);
      for (const std::string& in : inputs) {
        {
          std::optional<ResultsDb> check;
          try {
            check.emplace(in);  // the schema version must match
          } catch (const DbError& e) {
            std::fprintf(stderr, "hcsim merge: %s\n", e.what());
            return fail(kExitBadInput);
          }
          const auto in_meta = read_meta(check->db());
          const auto hash = in_meta.find("sweep_hash");
          const auto have = meta.find("sweep_hash");
          if (hash != in_meta.end()) {
            if (have != meta.end() && have->second != hash->second) {
              std::fprintf(
                  stderr,
                  "hcsim merge: %s comes from another sweep (or another version of it) than %s\n",
                  in.c_str(), out.c_str());
              return fail(kExitBadInput);
            }
            for (const auto& [k, v] : in_meta) {
              if (k.rfind("sweep_", 0) == 0) meta[k] = v;
            }
          }
        }
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
              ++skipped;
              continue;
            }
            if (mine->second.status == "completed" && row.status == "completed") {
              std::fprintf(stderr,
                           "hcsim merge: run %lld differs between %s and an earlier input\n",
                           static_cast<long long>(id), in.c_str());
              return fail(kExitBadInput);
            }
            delete_run(db, id);
          }
          copy_rows(db, id);
          ++copied;
        }
        tx.commit();
      }
      {
        Transaction tx(db);
        write_meta(db, meta);
        tx.commit();
      }
      // A sweep's runs are numbered 1..sweep_runs: name the ones no input had.
      if (const auto n = meta.find("sweep_runs"); n != meta.end()) {
        const auto have = runs_of(db, "main");
        const int64_t planned = std::stoll(n->second);
        int64_t absent = 0;
        for (int64_t id = 1; id <= planned; ++id) {
          const auto it = have.find(id);
          if (it != have.end() && it->second.status == "completed") continue;
          if (++absent <= 10) missing += (absent > 1 ? ", " : "") + std::to_string(id);
        }
        if (absent > 10) missing += ", ...";
        if (absent > 0)
          missing = std::to_string(absent) + " of the sweep's " + n->second +
                    " runs are missing or unfinished: " + missing;
      }
    }
    fs::rename(scratch, out);
    if (!quiet) {
      std::fprintf(stderr, "hcsim merge: %d runs into %s (%d duplicates skipped)\n", copied,
                   out.c_str(), skipped);
    }
    if (!missing.empty()) std::fprintf(stderr, "hcsim merge: %s\n", missing.c_str());
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim merge: %s\n", e.what());
    return fail(kExitError);
  }
}

}  // namespace runner
