// tests/support/results_dump.h: results tables as text, to compare two results files exactly.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace support {

using store::Db;
using store::Stmt;

// A column's exact value as text: reals in hexadecimal, so no digit is lost.
inline std::string column_text(const Stmt& st, int i) {
  if (st.is_null(i)) return "NULL";
  if (st.is_real(i)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%a", st.real(i));
    return buf;
  }
  const auto b = st.blob(i);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Every row of a table as text, in primary-key order.
inline std::vector<std::string> dump(Db& db, const std::string& sql) {
  std::vector<std::string> rows;
  Stmt st(db, sql);
  while (st.step()) {
    std::string row;
    for (int i = 0; i < st.column_count(); ++i) {
      row += column_text(st, i) + "|";
    }
    rows.push_back(row);
  }
  return rows;
}

// Every table of a results file, all columns but the wall-clock ones, in key order.
inline std::vector<std::string> dump_all(const std::string& path) {
  Db db(path, store::Db::Mode::kReadOnly);
  std::vector<std::string> out;
  const char* queries[] = {
      "SELECT run_id, scenario_name, scenario_file, scenario_yaml, overrides, seed, config_id, "
      "config_label,"
      " replication, hcsim_version, status, horizon_ns, bucket_ns, warmup_ns, apdex_t_ns, "
      "sim_end_ns, events,"
      " fingerprint, expect_passed, summary_json, message FROM runs ORDER BY run_id",
      "SELECT * FROM entities ORDER BY run_id, entity_id",
      "SELECT * FROM series ORDER BY run_id, entity_id, t_ns",
      "SELECT * FROM rt_hist ORDER BY run_id, entity_id, t_ns",
      "SELECT * FROM events ORDER BY run_id, seq",
      "SELECT * FROM samples ORDER BY run_id, component, name, t_ns, value",
      "SELECT * FROM narration ORDER BY run_id, t_ns, text",
      "SELECT * FROM meta ORDER BY key"};
  for (const char* q : queries) {
    out.push_back(std::string("-- ") + q);
    const auto rows = dump(db, q);
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

}  // namespace support
